import { z } from 'zod';
import { id, timestamp, username } from './fields.js';

// user-{userId}. No email and no password hash: those live in the credentials table.
export const UserRegistered = z.object({
  userId: id,
  username,
  displayName: z.string(),
  registeredAt: timestamp,
});

/** Only the fields that changed are present. */
export const ProfileUpdated = z.object({
  userId: id,
  displayName: z.string().optional(),
  bio: z.string().optional(),
});

export const PrivacyChanged = z.object({ userId: id, private: z.boolean() });

// username-{lowercased}: the reservation that keeps usernames unique.
export const UsernameReserved = z.object({ username, userId: id });
export const UsernameReleased = z.object({ username, userId: id });
