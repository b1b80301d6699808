import { z } from 'zod';
import { id, timestamp, username } from './fields.js';

// like-{postId}-{userId}. The post's author rides along so that notifications need no lookup.
export const Liked = z.object({ postId: id, userId: id, postAuthorId: id, likedAt: timestamp });
export const Unliked = z.object({ postId: id, userId: id });

// comment-{commentId}. A reply names its parent comment on the same post.
export const CommentAdded = z.object({
  commentId: id,
  postId: id,
  authorId: id,
  postAuthorId: id,
  parentCommentId: id.nullable(),
  text: z.string(),
  mentions: z.array(username),
  createdAt: timestamp,
});
export const CommentDeleted = z.object({ commentId: id, postId: id, deletedBy: id, deletedAt: timestamp });

// bookmark-{userId}-{postId}
export const Bookmarked = z.object({ userId: id, postId: id, bookmarkedAt: timestamp });
export const Unbookmarked = z.object({ userId: id, postId: id });
