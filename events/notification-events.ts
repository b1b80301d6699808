import { z } from 'zod';
import { id, timestamp } from './fields.js';

// notifications-{userId}. Read state is a fact in the log, not a mutable column, so that a
// rebuilt notifications read model still knows what its user has seen. `upTo` is the instant the
// marks reach: a group whose latest activity is at or before it reads as read, and one that gets
// new activity afterwards turns unread again. `ids` limits the marks to those groups; without
// it, everything up to `upTo` is read.
export const NotificationsRead = z.object({
  userId: id,
  upTo: timestamp,
  /** Group ids: UUID-shaped hashes of the group's key (not RFC versioned UUIDs). */
  ids: z.array(z.guid()).optional(),
});
