import type { UserSummary } from '../projections/profiles/reader-types.js';
import type { Story } from '../projections/stories/stories-store.js';
import type { ReadOptions } from './card-cache.js';
import type { ReadDeps } from './deps.js';

// Stories that share a post (POST /posts/{id}/share): the story's author was checked by the route
// (the tray's visible authors, a user page's access); the post's is checked here, on every read,
// by the one access rule (the cards' visiblePosts: deleted posts, hidden accounts, blocks either
// way, a private author's non-followers), so that a share never shows a post to someone who may
// not see it now, whatever changed since the share.

export interface SharedStories {
  /** The ids of the stories the viewer may see: every ordinary one, a shared one while its post is visible. */
  shown: Set<string>;
  /** The post author of each shown shared post, by post id. */
  postAuthors: Map<string, UserSummary>;
}

/**
 * `readThrough` (a ?minPosition= read) asks the cards from SQL: a cached card is evicted by the
 * card bus a moment AFTER the profiles projection commits, so a read-your-writes read could
 * otherwise still see a post deleted, or an author made private, before that commit.
 */
export const sharedStoriesFor = async (deps: Pick<ReadDeps, 'cards' | 'profiles'>, viewerId: string, stories: readonly Story[], options: ReadOptions = {}): Promise<SharedStories> => {
  const postIds = [...new Set(stories.flatMap((story) => (story.sharedPost ? [story.sharedPost.postId] : [])))];
  const visible = postIds.length === 0 ? new Set<string>() : new Set((await deps.cards.visiblePosts(postIds, viewerId, options)).map((card) => card.postId));
  const authorIds = stories.flatMap((story) => (story.sharedPost && visible.has(story.sharedPost.postId) ? [story.sharedPost.authorId] : []));
  const authors = authorIds.length === 0 ? new Map<string, UserSummary>() : await deps.profiles.userSummaries(authorIds);
  const postAuthors = new Map<string, UserSummary>();
  const shown = new Set<string>();
  for (const story of stories) {
    const author = story.sharedPost && visible.has(story.sharedPost.postId) ? authors.get(story.sharedPost.authorId) : undefined;
    if (story.sharedPost && !author) continue;
    if (story.sharedPost && author) postAuthors.set(story.sharedPost.postId, author);
    shown.add(story.id);
  }
  return { shown, postAuthors };
};
