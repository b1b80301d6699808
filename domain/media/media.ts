import type { MediaPurpose, ProcessedMedia, UploadedMediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';
import { IMAGE_CONTENT_TYPES, IMAGE_MAX_BYTES, UNATTACHED_MEDIA_TTL_MS, VIDEO_CONTENT_TYPES, VIDEO_MAX_BYTES } from '../../kernel/limits.js';
import { invalid, notFound, ruleBroken } from '../../kernel/errors.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';

// The media aggregate (stream media-{mediaId}): one upload's life, docs/architecture.md "Media".
//
//   pending ──CompleteUpload──▶ processing ──RecordProcessed──▶ ready ──AttachMedia──▶ attached ──DeleteMedia──▶ deleted
//      │                            └──────RecordRejected──▶ rejected       ▲──ReleaseMedia──┘
//      └──ExpireMedia (past uploadExpiresAt)   ready, rejected ──ExpireMedia (past requestedAt + UNATTACHED_MEDIA_TTL_MS)──▶ expired
//
// Media are private to their owner until attached: anyone else completing or attaching one is
// told it does not exist (MEDIA_NOT_FOUND), so that media ids cannot be probed.

// ---- The declaration rule: what an upload may say it is (limits in kernel/limits.ts)

export type MediaKind = 'image' | 'video';

const imageTypes: readonly string[] = IMAGE_CONTENT_TYPES;
const videoTypes: readonly string[] = VIDEO_CONTENT_TYPES;

/** The kind a declared content type is of, or null when it is none the platform takes. */
export const kindOfContentType = (contentType: string): MediaKind | null =>
  imageTypes.includes(contentType) ? 'image' : videoTypes.includes(contentType) ? 'video' : null;

export const maxBytesOf = (kind: MediaKind): number => (kind === 'image' ? IMAGE_MAX_BYTES : VIDEO_MAX_BYTES);

/**
 * Refuses an upload declaration the platform would never take, naming the field: a content type
 * of no supported kind (MEDIA_TYPE_UNSUPPORTED), a size over its kind's limit (MEDIA_TOO_LARGE),
 * a video for an avatar (MEDIA_WRONG_PURPOSE). Returns the kind.
 */
export const checkUploadDeclaration = ({ purpose, declaredType, declaredSize }: { purpose: MediaPurpose; declaredType: string; declaredSize: number }): MediaKind => {
  const kind = kindOfContentType(declaredType);
  if (kind === null) {
    const message = `must be one of ${[...IMAGE_CONTENT_TYPES, ...VIDEO_CONTENT_TYPES].join(', ')}`;
    throw invalid('MEDIA_TYPE_UNSUPPORTED', `content type ${declaredType} is not supported`, [{ path: 'contentType', message, location: 'body' }]);
  }
  const max = maxBytesOf(kind);
  if (!Number.isInteger(declaredSize) || declaredSize < 1 || declaredSize > max) {
    throw invalid('MEDIA_TOO_LARGE', `an ${kind} upload has 1 to ${max} bytes`, [{ path: 'size', message: `must be 1 to ${max} for an ${kind}`, location: 'body' }]);
  }
  if (purpose === 'avatar' && kind !== 'image') throw wrongPurpose('an avatar must be an image');
  return kind;
};

/** Post media may also go to a story and the other way round; avatar media only to an avatar, and only an image. */
export const purposeFits = (uploadedFor: MediaPurpose, usedAs: MediaPurpose, type: MediaKind): boolean =>
  uploadedFor === 'avatar' || usedAs === 'avatar' ? uploadedFor === usedAs && type === 'image' : true;

// ---- Commands

export interface RequestUpload {
  type: 'RequestUpload';
  mediaId: string;
  ownerId: string;
  purpose: MediaPurpose;
  filename: string;
  declaredType: string;
  declaredSize: number;
  originalKey: string;
  uploadExpiresAt: string;
  now: string;
}

/** `storedSize` is what the storage holds under the original key (null: nothing there). */
export interface CompleteUpload {
  type: 'CompleteUpload';
  mediaId: string;
  actorId: string;
  storedSize: number | null;
  now: string;
}

export interface RecordProcessed {
  type: 'RecordProcessed';
  mediaId: string;
  processed: ProcessedMedia;
  now: string;
}

export interface RecordRejected {
  type: 'RecordRejected';
  mediaId: string;
  reason: string;
  message: string;
  now: string;
}

export interface AttachMedia {
  type: 'AttachMedia';
  mediaId: string;
  actorId: string;
  purpose: MediaPurpose;
  /** The post, story or user the media goes on. */
  targetId: string;
  now: string;
}

export interface ReleaseMedia {
  type: 'ReleaseMedia';
  mediaId: string;
  targetId: string;
  now: string;
}

export interface DeleteMedia {
  type: 'DeleteMedia';
  mediaId: string;
  now: string;
}

export interface ExpireMedia {
  type: 'ExpireMedia';
  mediaId: string;
  now: string;
}

export type MediaCommand = RequestUpload | CompleteUpload | RecordProcessed | RecordRejected | AttachMedia | ReleaseMedia | DeleteMedia | ExpireMedia;

// ---- State

/** What readers call each state (GET /api/v1/media/{mediaId}, the media read model). */
export type MediaStatus = 'pending' | 'processing' | 'ready' | 'rejected' | 'attached' | 'expired' | 'deleted';

export interface RequestedMedia {
  mediaId: string;
  ownerId: string;
  purpose: MediaPurpose;
  filename: string;
  declaredType: string;
  declaredSize: number;
  originalKey: string;
  requestedAt: string;
  uploadExpiresAt: string;
}

/**
 * Stream media-{mediaId}. An ended media (expired, deleted) keeps what it had, so that later
 * commands can say why they fail and the janitor knows which objects to delete.
 */
export type MediaState =
  | { status: 'none' }
  | (RequestedMedia & {
      status: MediaStatus;
      uploadedSize: number | null;
      processed: ProcessedMedia | null;
      rejection: { reason: string; message: string } | null;
      targetId: string | null;
    });

export type KnownMedia = Exclude<MediaState, { status: 'none' }>;

// The stream grows with attach/release: snapshotted (domain/decider.ts). Bump the key when MediaState changes.
const snapshot: SnapshotPolicy = { key: 'media.v1' };

// ---- Events

export type MediaEvent = EventsOf<
  'MediaUploadRequested' | 'MediaUploaded' | 'MediaProcessed' | 'MediaRejected' | 'MediaAttached' | 'MediaReleased' | 'MediaDeleted' | 'MediaExpired'
>;

// ---- Decide

export const decideMedia = (command: MediaCommand, state: MediaState): MediaEvent[] => {
  switch (command.type) {
    case 'RequestUpload':
      return requestUpload(command, state);
    case 'CompleteUpload':
      return completeUpload(command, state);
    case 'RecordProcessed':
      return recordProcessed(command, state);
    case 'RecordRejected':
      return recordRejected(command, state);
    case 'AttachMedia':
      return attachMedia(command, state);
    case 'ReleaseMedia':
      return releaseMedia(command, state);
    case 'DeleteMedia':
      return deleteMedia(command, state);
    case 'ExpireMedia':
      return expireMedia(command, state);
    default:
      return unhandled(command);
  }
};

const mediaNotFound = (mediaId: string) => notFound('MEDIA_NOT_FOUND', `No media ${mediaId}`);
const wrongPurpose = (message: string) => ruleBroken('MEDIA_WRONG_PURPOSE', message);
const ms = (instant: string) => Date.parse(instant);
const ended = (state: KnownMedia) => state.status === 'expired' || state.status === 'deleted';

/** When processed or rejected media that nobody attached is swept. */
export const unattachedExpiryOf = (requestedAt: string): number => ms(requestedAt) + UNATTACHED_MEDIA_TTL_MS;

/** Whether ExpireMedia at `now` expires media in `state` (the sweeper's rule, stated once). */
export const isDueToExpire = (state: MediaState, now: string): boolean => {
  switch (state.status) {
    case 'pending':
      return ms(now) > ms(state.uploadExpiresAt);
    case 'ready':
    case 'rejected':
      return ms(now) >= unattachedExpiryOf(state.requestedAt);
    default:
      // Never attached media; never what is being processed (the worker will answer); never twice.
      return false;
  }
};

/** The owner's own media, or MEDIA_NOT_FOUND for anyone else (media are private until attached). */
const ownedBy = (state: MediaState, actorId: string, mediaId: string): KnownMedia => {
  if (state.status === 'none' || state.ownerId !== actorId) throw mediaNotFound(mediaId);
  return state;
};

const requestUpload = (command: RequestUpload, state: MediaState): MediaEvent[] => {
  const { mediaId, ownerId, purpose, filename, declaredType, declaredSize, originalKey, uploadExpiresAt, now } = command;
  checkUploadDeclaration(command);
  // Media ids are made up by the server: a stream already begun is this same request, retried.
  if (state.status !== 'none') return [];
  const data = { mediaId, ownerId, purpose, filename, declaredType, declaredSize, originalKey, requestedAt: now, uploadExpiresAt };
  return [{ type: 'MediaUploadRequested', data }];
};

const completeUpload = (command: CompleteUpload, state: MediaState): MediaEvent[] => {
  const media = ownedBy(state, command.actorId, command.mediaId);
  if (media.status === 'deleted') throw mediaNotFound(command.mediaId);
  if (media.status === 'expired') throw ruleBroken('MEDIA_UPLOAD_EXPIRED', `The upload of ${command.mediaId} has expired`);
  if (media.status !== 'pending') throw ruleBroken('MEDIA_ALREADY_COMPLETED', `The upload of ${command.mediaId} was already completed`);
  if (ms(command.now) > ms(media.uploadExpiresAt)) throw ruleBroken('MEDIA_UPLOAD_EXPIRED', `The upload of ${command.mediaId} expired at ${media.uploadExpiresAt}`);
  if (command.storedSize === null) throw ruleBroken('MEDIA_NOT_UPLOADED', `No bytes were uploaded for ${command.mediaId}`);
  if (command.storedSize !== media.declaredSize) {
    throw ruleBroken('MEDIA_NOT_UPLOADED', `${command.storedSize} bytes were uploaded for ${command.mediaId}, not the ${media.declaredSize} declared`);
  }
  return [{ type: 'MediaUploaded', data: { mediaId: media.mediaId, ownerId: media.ownerId, size: command.storedSize, uploadedAt: command.now } }];
};

/**
 * Processing answers once; workers deliver at least once, so a second answer (or an answer for
 * media that ended meanwhile) changes nothing.
 */
const processingAnswerable = (state: MediaState, mediaId: string): KnownMedia | null => {
  if (state.status === 'none') throw mediaNotFound(mediaId);
  if (state.status === 'pending') throw ruleBroken('MEDIA_NOT_UPLOADED', `The upload of ${mediaId} was not completed`);
  return state.status === 'processing' ? state : null;
};

const recordProcessed = (command: RecordProcessed, state: MediaState): MediaEvent[] => {
  const media = processingAnswerable(state, command.mediaId);
  if (!media) return [];
  return [{ type: 'MediaProcessed', data: { mediaId: media.mediaId, ownerId: media.ownerId, ...command.processed, processedAt: command.now } }];
};

const recordRejected = (command: RecordRejected, state: MediaState): MediaEvent[] => {
  const media = processingAnswerable(state, command.mediaId);
  if (!media) return [];
  const { reason, message, now } = command;
  return [{ type: 'MediaRejected', data: { mediaId: media.mediaId, ownerId: media.ownerId, reason, message, rejectedAt: now } }];
};

/** Throws why `command` cannot attach the media in `state`; returns [] for a repeat, or the attachment. */
const attachMedia = (command: AttachMedia, state: MediaState): MediaEvent[] => {
  const { mediaId, targetId, purpose, now } = command;
  const media = ownedBy(state, command.actorId, mediaId);
  switch (media.status) {
    case 'deleted':
    case 'expired':
      throw mediaNotFound(mediaId);
    case 'pending':
    case 'processing':
      throw ruleBroken('MEDIA_NOT_READY', `Media ${mediaId} is not processed yet`);
    case 'rejected':
      throw ruleBroken('MEDIA_REJECTED', `Media ${mediaId} was rejected: ${media.rejection?.message ?? 'unreadable'}`);
    case 'attached':
      // The same attachment again is a retry of the post, story or avatar change: granted already.
      if (media.targetId === targetId) return [];
      throw ruleBroken('MEDIA_ALREADY_ATTACHED', `Media ${mediaId} is already attached`);
    case 'ready': {
      const type = media.processed?.type ?? 'image';
      if (!purposeFits(media.purpose, purpose, type)) {
        throw wrongPurpose(purpose === 'avatar' && media.purpose === 'avatar' ? 'an avatar must be an image' : `Media ${mediaId} was uploaded for a ${media.purpose}, not a ${purpose}`);
      }
      return [{ type: 'MediaAttached', data: { mediaId, ownerId: media.ownerId, purpose, targetId, attachedAt: now } }];
    }
  }
};

// Releasing what one does not hold changes nothing (a retried rollback, a stale request).
const releaseMedia = (command: ReleaseMedia, state: MediaState): MediaEvent[] =>
  state.status === 'attached' && state.targetId === command.targetId
    ? [{ type: 'MediaReleased', data: { mediaId: state.mediaId, ownerId: state.ownerId, targetId: command.targetId, releasedAt: command.now } }]
    : [];

/**
 * Only attached media is deleted (what it was on went away). Deleting again is the same wish,
 * granted; media never attached is left to the sweeper (ExpireMedia).
 */
const deleteMedia = (command: DeleteMedia, state: MediaState): MediaEvent[] => {
  if (state.status === 'none') throw mediaNotFound(command.mediaId);
  if (state.status !== 'attached') return [];
  return [{ type: 'MediaDeleted', data: { mediaId: state.mediaId, ownerId: state.ownerId, deletedAt: command.now } }];
};

// The sweeper acts on a read model that may be behind: media not (or no longer) due is left alone.
const expireMedia = (command: ExpireMedia, state: MediaState): MediaEvent[] => {
  if (state.status === 'none') throw mediaNotFound(command.mediaId);
  if (!isDueToExpire(state, command.now)) return [];
  return [{ type: 'MediaExpired', data: { mediaId: state.mediaId, ownerId: state.ownerId, expiredAt: command.now } }];
};

// ---- Transition

export const mediaTransition = (state: MediaState, event: MediaEvent): MediaState | null => {
  if (event.type === 'MediaUploadRequested') {
    if (state.status !== 'none') return null;
    return { ...event.data, status: 'pending', uploadedSize: null, processed: null, rejection: null, targetId: null };
  }
  if (state.status === 'none' || ended(state)) return null;
  switch (event.type) {
    case 'MediaUploaded':
      return state.status === 'pending' ? { ...state, status: 'processing', uploadedSize: event.data.size } : null;
    case 'MediaProcessed': {
      if (state.status !== 'processing') return null;
      const { mediaId: _mediaId, ownerId: _ownerId, processedAt: _processedAt, ...processed } = event.data;
      return { ...state, status: 'ready', processed };
    }
    case 'MediaRejected':
      return state.status === 'processing' ? { ...state, status: 'rejected', rejection: { reason: event.data.reason, message: event.data.message } } : null;
    case 'MediaAttached':
      return state.status === 'ready' ? { ...state, status: 'attached', targetId: event.data.targetId } : null;
    case 'MediaReleased':
      return state.status === 'attached' && state.targetId === event.data.targetId ? { ...state, status: 'ready', targetId: null } : null;
    case 'MediaDeleted':
      return state.status === 'attached' ? { ...state, status: 'deleted' } : null;
    case 'MediaExpired':
      return isExpirable(state) ? { ...state, status: 'expired' } : null;
  }
};

// Expiry as a transition: from any state the sweeper may expire (whether it was due is decide's
// question, at the time it decided).
const isExpirable = (state: KnownMedia) => state.status === 'pending' || state.status === 'ready' || state.status === 'rejected';

export const { evolve: evolveMedia, canApply: canApplyMediaEvent } = fromTransition(mediaTransition);

const initialState = (): MediaState => ({ status: 'none' });

export const mediaDecider: Decider<MediaCommand, MediaState, MediaEvent> = { decide: decideMedia, evolve: evolveMedia, initialState, snapshot };

// ---- What handlers read off a state

/** The item a post, story or avatar carries for attached (or ready) media. */
export const uploadedItemOf = (state: MediaState): UploadedMediaItem | null =>
  state.status !== 'none' && state.processed ? { mediaId: state.mediaId, ...state.processed } : null;

/** Every storage key the media has: the original and each variant. */
export const storageKeysOf = (state: MediaState): string[] =>
  state.status === 'none' ? [] : [state.originalKey, ...(state.processed?.variants.map((variant) => variant.key) ?? [])];
