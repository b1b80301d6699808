import {
  checkUploadDeclaration,
  mediaDecider,
  storageKeysOf,
  uploadedItemOf,
  type MediaCommand,
  type MediaState,
} from '../../domain/media/media.js';
import { streams, type EventData, type MediaPurpose, type Position, type ProcessedMedia, type RecordedEvent, type UploadedMediaItem } from '../../events/index.js';
import { ruleBroken } from '../../kernel/errors.js';
import { UPLOAD_URL_TTL_SECONDS } from '../../kernel/limits.js';
import { mediaKeys } from '../../media/storage/media-storage.js';
import { entityIdFor, type CommandContext } from '../command-context.js';
import { earlierCreation } from '../created-once.js';
import type { CommandDeps } from '../deps.js';
import { type BuildCommand, createStream, handleCommand, type HandleResult } from '../handle-command.js';
import { loadState } from '../load-state.js';
import { viaStorage } from './storage-unavailable.js';

// The media commands (docs/architecture.md "Media"): the upload flow (request, complete), the
// processing worker's answer, and attaching, releasing, deleting and expiring media, which the
// post, story and avatar handlers and the janitor and sweeper reactors call.

const onMedia = (deps: CommandDeps, mediaId: string, command: BuildCommand<MediaCommand>, ctx: CommandContext): Promise<HandleResult<MediaState>> =>
  handleCommand({ store: deps.store, stream: streams.media(mediaId), decider: mediaDecider, command, ctx });

export interface UploadRequest {
  ownerId: string;
  filename: string;
  contentType: string;
  size: number;
  purpose: MediaPurpose;
}

export interface RequestedUpload {
  mediaId: string;
  uploadUrl: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  position: Position;
}

/**
 * Hands out a presigned PUT for the original, bound to the declared type and length. The
 * declaration is checked before the storage is asked, so bad input never reaches it.
 */
export const requestUpload = async (deps: CommandDeps, input: UploadRequest, ctx: CommandContext): Promise<RequestedUpload> => {
  const { ownerId, filename, contentType, size, purpose } = input;
  checkUploadDeclaration({ purpose, declaredType: contentType, declaredSize: size });
  const mediaId = entityIdFor(ctx, 'media');
  const stream = streams.media(mediaId);
  // A retry of a keyed request answers the upload its first run recorded, signed again for the
  // same declaration and the same expiry (commands/created-once.ts).
  const signedAgain = async (creation: RecordedEvent): Promise<RequestedUpload> => {
    const recorded = creation.data as EventData<'MediaUploadRequested'>;
    const signedAt = new Date(Date.parse(recorded.uploadExpiresAt) - UPLOAD_URL_TTL_SECONDS * 1000);
    const upload = await viaStorage(() =>
      deps.storage.presignUpload({ key: recorded.originalKey, contentType: recorded.declaredType, size: recorded.declaredSize, signedAt, expiresInSeconds: UPLOAD_URL_TTL_SECONDS }),
    );
    return { mediaId, uploadUrl: upload.url, method: upload.method, headers: upload.headers, expiresAt: upload.expiresAt, position: creation.position };
  };
  const earlier = await earlierCreation(deps.store, stream, ctx);
  if (earlier) return signedAgain(earlier);
  const originalKey = mediaKeys.original(mediaId);
  const signedAt = new Date(ctx.now);
  const upload = await viaStorage(() =>
    deps.storage.presignUpload({ key: originalKey, contentType, size, signedAt, expiresInSeconds: UPLOAD_URL_TTL_SECONDS }),
  );
  const uploadExpiresAt = new Date(signedAt.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();
  return createStream(
    {
      store: deps.store,
      stream,
      decider: mediaDecider,
      command: () => ({ type: 'RequestUpload', mediaId, ownerId, purpose, filename, declaredType: contentType, declaredSize: size, originalKey, uploadExpiresAt }),
      ctx,
    },
    ({ position }) => ({ mediaId, uploadUrl: upload.url, method: upload.method, headers: upload.headers, expiresAt: upload.expiresAt, position }),
    signedAgain,
  );
};

/** The owner says the bytes are there: the storage is asked what it holds, the decider compares it with what was declared. */
export const completeUpload = async (
  deps: CommandDeps,
  { actorId, mediaId }: { actorId: string; mediaId: string },
  ctx: CommandContext,
): Promise<{ mediaId: string; status: 'processing'; position: Position }> => {
  const { position } = await onMedia(
    deps,
    mediaId,
    async () => {
      const stored = await viaStorage(() => deps.storage.head(mediaKeys.original(mediaId)));
      return { type: 'CompleteUpload', mediaId, actorId, storedSize: stored?.size ?? null };
    },
    ctx,
  );
  return { mediaId, status: 'processing', position };
};

export type ProcessingResult =
  | { outcome: 'processed'; processed: ProcessedMedia }
  | { outcome: 'rejected'; reason: string; message: string };

/** The processing worker's answer; a repeat (at-least-once delivery) appends nothing. */
export const recordProcessingResult = async (
  deps: CommandDeps,
  { mediaId, result }: { mediaId: string; result: ProcessingResult },
  ctx: CommandContext,
): Promise<{ mediaId: string; appended: number; position: Position }> => {
  const { appended, position } = await onMedia(
    deps,
    mediaId,
    () =>
      result.outcome === 'processed'
        ? { type: 'RecordProcessed', mediaId, processed: result.processed }
        : { type: 'RecordRejected', mediaId, reason: result.reason, message: result.message },
    ctx,
  );
  return { mediaId, appended, position };
};

export interface AttachRequest {
  actorId: string;
  mediaIds: readonly string[];
  purpose: MediaPurpose;
  /** The post, story or user the media go on. */
  targetId: string;
}

/**
 * Attaches every media item to `targetId`, or none: all are checked first (the first refusal is
 * thrown and nothing is appended), then each is attached in order; when one loses a race (another
 * attachment or the sweeper got there first), those already attached are released again and the
 * refusal is rethrown. Answers the items, in the order given, for the post, story or avatar
 * event to carry.
 */
export const attachMedia = async (deps: CommandDeps, request: AttachRequest, ctx: CommandContext): Promise<UploadedMediaItem[]> => {
  const { actorId, mediaIds, purpose, targetId } = request;
  const duplicate = mediaIds.find((mediaId, index) => mediaIds.indexOf(mediaId) !== index);
  if (duplicate !== undefined) throw ruleBroken('MEDIA_ALREADY_ATTACHED', `Media ${duplicate} is named twice (each upload is used once)`);

  const attach = (mediaId: string) => ({ type: 'AttachMedia', mediaId, actorId, purpose, targetId }) as const;
  const states = await Promise.all(mediaIds.map((mediaId) => loadState(deps.store, streams.media(mediaId), mediaDecider)));
  states.forEach((state, index) => mediaDecider.decide({ ...attach(mediaIds[index]!), now: ctx.now }, state));

  const attached: string[] = [];
  const items: UploadedMediaItem[] = [];
  try {
    for (const mediaId of mediaIds) {
      const result = await onMedia(deps, mediaId, () => attach(mediaId), ctx);
      if (result.appended > 0) attached.push(mediaId);
      const item = uploadedItemOf(result.state);
      if (!item) throw new Error(`attached media ${mediaId} has no processed media`);
      items.push(item);
    }
  } catch (error) {
    // The refusal is the answer; a failing release leaves the media attached to what never came
    // to be (and the sweeper never expires attached media), so it is tried for each.
    await Promise.allSettled(attached.map((mediaId) => onMedia(deps, mediaId, () => ({ type: 'ReleaseMedia', mediaId, targetId }), ctx)));
    throw error;
  }
  return items;
};

/** Undoes attachments to `targetId` (what they were for never came to be); media attached elsewhere are left alone. */
export const releaseMedia = async (
  deps: CommandDeps,
  { mediaIds, targetId }: { mediaIds: readonly string[]; targetId: string },
  ctx: CommandContext,
): Promise<void> => {
  for (const mediaId of mediaIds) await onMedia(deps, mediaId, () => ({ type: 'ReleaseMedia', mediaId, targetId }), ctx);
};

/**
 * Deletes attached media (its post or story went, its avatar was replaced). Answers the storage
 * keys to delete (the original and every variant) whenever the media is deleted, also on a
 * repeat, so that a janitor that crashed between the event and the objects deletes them on its
 * retry; [] when the media was not attached (it is the sweeper's).
 */
export const deleteMedia = async (deps: CommandDeps, { mediaId }: { mediaId: string }, ctx: CommandContext): Promise<string[]> => {
  const { state } = await onMedia(deps, mediaId, () => ({ type: 'DeleteMedia', mediaId }), ctx);
  return state.status === 'deleted' ? storageKeysOf(state) : [];
};

/** Expires media never completed, or never attached, in time; the keys to delete, as deleteMedia. */
export const expireMedia = async (deps: CommandDeps, { mediaId }: { mediaId: string }, ctx: CommandContext): Promise<string[]> => {
  const { state } = await onMedia(deps, mediaId, () => ({ type: 'ExpireMedia', mediaId }), ctx);
  return state.status === 'expired' ? storageKeysOf(state) : [];
};
