import type { HydratedPost } from '../projections/profiles/profiles-reader.js';
import type { ReadDeps } from './deps.js';

// Search, hashtag pages and explore are public surfaces: they show only posts of public accounts
// (and the viewer's own), never a blocked user's, never a deleted one, whatever the index holds.
// One query for the page: hydration with the visibility rule, then public authors only.
export const publicPosts = async (deps: ReadDeps, viewerId: string, postIds: readonly string[]): Promise<HydratedPost[]> => {
  const posts = await deps.profiles.visiblePosts(postIds, viewerId);
  return posts.filter((post) => !post.author.private || post.author.id === viewerId);
};
