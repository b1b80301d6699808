import { z } from 'zod';
import { id, mediaItem, timestamp } from './fields.js';

// story-{storyId}
export const StoryPosted = z.object({
  storyId: id,
  authorId: id,
  media: mediaItem,
  postedAt: timestamp,
  expiresAt: timestamp,
});
export const StoryDeleted = z.object({ storyId: id, authorId: id, deletedAt: timestamp });
export const StoryExpired = z.object({ storyId: id, authorId: id, expiredAt: timestamp });

// storyview-{storyId}-{viewerId}: one short stream per viewer, so a popular story's stream
// does not grow with its audience, and a second view is idempotent.
export const StoryViewed = z.object({ storyId: id, authorId: id, viewerId: id, viewedAt: timestamp });
