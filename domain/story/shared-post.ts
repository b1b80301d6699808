import type { MediaItem } from '../../events/index.js';
import { forbidden } from '../../kernel/errors.js';
import { assertPostUsable, type PostFacts } from '../post/post-facts.js';

/**
 * What a handler learned about a post before deciding a share of it to a story: the facts a like
 * or bookmark decides on (missing, deleted, the sharer's access to its author), whether its author
 * is private now, and its first media item (what the story shows to clients that know no shares).
 */
export interface ShareablePost {
  postId: string;
  facts: PostFacts;
  authorIsPrivate: boolean;
  firstMedia: MediaItem | null;
}

/**
 * Refuses a share of a post the sharer may not engage with (missing, deleted, hidden by a block,
 * a private account not followed: the like's answers), and of a private account's post by anyone
 * but its author: a story is shown to the sharer's own audience, which the post's author did not
 * choose (Instagram does not offer private posts for sharing to a story either). Returns what the
 * story records.
 */
export const assertShareable = (sharerId: string, post: ShareablePost): { authorId: string; media: MediaItem } => {
  const authorId = assertPostUsable(post.facts);
  if (post.authorIsPrivate && authorId !== sharerId) {
    throw forbidden('POST_NOT_SHAREABLE', "Only its author may share a private account's post");
  }
  // A live post has 1 to 10 media items (events/post-events.ts), so a usable one has a first.
  return { authorId, media: post.firstMedia! };
};
