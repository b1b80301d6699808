import type { HydratedPost } from '../projections/profiles/profiles-reader.js';
import type { ReadDeps } from './deps.js';

// Search, hashtag pages and explore are public surfaces: they show only posts of public accounts
// (and the viewer's own), never a blocked user's, never a deleted one, whatever the index holds.
// Hydration drops deleted posts; this drops the rest, in two queries for the whole page.
export const publicPosts = async (deps: ReadDeps, viewerId: string, postIds: readonly string[]): Promise<HydratedPost[]> => {
  const posts = await deps.profiles.posts(postIds, viewerId);
  const visible = await deps.profiles.visibleAuthors(viewerId, posts.map((post) => post.author.id));
  return posts.filter((post) => visible.has(post.author.id) && (!post.author.private || post.author.id === viewerId));
};
