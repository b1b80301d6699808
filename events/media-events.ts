import { z } from 'zod';
import { id, processedMedia, timestamp } from './fields.js';

// media-{mediaId}: one upload's life. Requested (a presigned URL was handed out), uploaded (the
// owner said the bytes are there and the storage agreed on their size), then processed (variants
// written) or rejected (with a reason), then attached to one post, story or avatar, and finally
// expired (never completed or never attached) or deleted (what it was attached to went away).
// Storage keys, never URLs, are kept: the read path signs URLs when it answers.

export const mediaPurpose = z.enum(['post', 'story', 'avatar']);
export type MediaPurpose = z.infer<typeof mediaPurpose>;

export const MediaUploadRequested = z.object({
  mediaId: id,
  ownerId: id,
  purpose: mediaPurpose,
  filename: z.string(),
  declaredType: z.string().min(1),
  declaredSize: z.number().int().positive(),
  /** Where the client PUTs the bytes; kept until the media is deleted or expires. */
  originalKey: z.string().min(1),
  requestedAt: timestamp,
  /** The presigned URL's end; the upload cannot complete after it. */
  uploadExpiresAt: timestamp,
});

export const MediaUploaded = z.object({ mediaId: id, ownerId: id, size: z.number().int().positive(), uploadedAt: timestamp });

export const MediaProcessed = z.object({ mediaId: id, ownerId: id, ...processedMedia.shape, processedAt: timestamp });

/** `reason` is a stable code (MEDIA_* in kernel/errors.ts); `message` says it for a person. */
export const MediaRejected = z.object({ mediaId: id, ownerId: id, reason: z.string().min(1), message: z.string(), rejectedAt: timestamp });

export const MediaAttached = z.object({ mediaId: id, ownerId: id, purpose: mediaPurpose, targetId: id, attachedAt: timestamp });

/**
 * An attachment undone because what it was for never came to be (the post, story or avatar change
 * that reserved the media lost a race on another of its media items): the media is free again.
 */
export const MediaReleased = z.object({ mediaId: id, ownerId: id, targetId: id, releasedAt: timestamp });

/** The owner's post or story was deleted or expired, or the avatar replaced: the objects go. */
export const MediaDeleted = z.object({ mediaId: id, ownerId: id, deletedAt: timestamp });

/** Never completed, or never attached, within UNATTACHED_MEDIA_TTL_MS: swept. */
export const MediaExpired = z.object({ mediaId: id, ownerId: id, expiredAt: timestamp });
