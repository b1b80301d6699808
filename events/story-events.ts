import { z } from 'zod';
import { id, mediaItem, timestamp } from './fields.js';

/** The post a shared story shows (POST /posts/{id}/share): its id and author, as of the share. */
export const sharedPost = z.object({ postId: id, authorId: id });

// story-{storyId}. `sharedPost` was added after version 1 without a new version: it is optional,
// so every stored v1 event is a valid v1 event as it is (no upcaster has anything to do), and a
// story without it is an ordinary one. Its `media` is then the post's first media item, so that a
// client that knows nothing of shares still shows something.
export const StoryPosted = z.object({
  storyId: id,
  authorId: id,
  media: mediaItem,
  postedAt: timestamp,
  expiresAt: timestamp,
  sharedPost: sharedPost.optional(),
});
export const StoryDeleted = z.object({ storyId: id, authorId: id, deletedAt: timestamp });
export const StoryExpired = z.object({ storyId: id, authorId: id, expiredAt: timestamp });

// storyview-{storyId}-{viewerId}: one short stream per viewer, so a popular story's stream
// does not grow with its audience, and a second view is idempotent.
export const StoryViewed = z.object({ storyId: id, authorId: id, viewerId: id, viewedAt: timestamp });
