import { z } from 'zod';
import { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from '../kernel/limits.js';
import { id, textOfAtMost, timestamp, uploadedMediaItem, username } from './fields.js';

// user-{userId}. No email and no password hash: those live in the credentials table. The
// profile limits backstop the HTTP schema's (kernel/limits.ts): nothing longer is ever stored.
const displayName = textOfAtMost(DISPLAY_NAME_MAX_LENGTH);
const bio = textOfAtMost(BIO_MAX_LENGTH);

export const UserRegistered = z.object({
  userId: id,
  username,
  displayName,
  registeredAt: timestamp,
});

/** Only the fields that changed are present. */
export const ProfileUpdated = z.object({
  userId: id,
  displayName: displayName.optional(),
  bio: bio.optional(),
});

/** A processed upload of the user's own (purpose avatar), or null when the avatar was removed. */
export const AvatarChanged = z.object({ userId: id, avatar: uploadedMediaItem.nullable(), changedAt: timestamp });

export const PrivacyChanged = z.object({ userId: id, private: z.boolean() });

/** Set by an operator (`npm run admin -- verify <username>`): a verified account is ranked higher in user search and its profile says so. */
export const VerifiedChanged = z.object({ userId: id, verified: z.boolean(), changedAt: timestamp });

// The deletion lifecycle (docs/architecture.md "Account deletion"): a request starts the grace
// period, during which the account is hidden from everyone else and its owner may restore it;
// once `eraseAfter` has passed, the erasure worker ends everything the person made (through the
// ordinary commands, so every projection removes it as it removes any deleted post or like),
// destroys their personal-data key, and appends AccountErased. No personal field: none is sealed.
export const AccountDeletionRequested = z.object({ userId: id, requestedAt: timestamp, eraseAfter: timestamp });
export const AccountRestored = z.object({ userId: id, restoredAt: timestamp });
export const AccountErased = z.object({ userId: id, erasedAt: timestamp });

// username-{lowercased}: the reservation that keeps usernames unique.
export const UsernameReserved = z.object({ username, userId: id });
export const UsernameReleased = z.object({ username, userId: id });
