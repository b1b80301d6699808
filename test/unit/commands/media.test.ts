import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../commands/deps.js';
import {
  attachMedia,
  completeUpload,
  deleteMedia,
  expireMedia,
  recordProcessingResult,
  releaseMedia,
  requestUpload,
  type UploadRequest,
} from '../../../commands/media/media.js';
import { StorageUnavailableError } from '../../../commands/media/storage-unavailable.js';
import type { EventStore, ProcessedMedia } from '../../../events/index.js';
import { START } from '../../../events/position.js';
import { streams } from '../../../events/streams.js';
import { UNATTACHED_MEDIA_TTL_MS, UPLOAD_URL_TTL_SECONDS } from '../../../kernel/limits.js';
import { mediaKeys } from '../../../media/storage/media-storage.js';
import { backendOf } from '../../../app/http/backend-errors.js';
import { commandDeps, ctx, now, typesIn } from '../../support/command-fixtures.js';
import { createInMemoryMediaStorage, type InMemoryMediaStorage } from '../../support/in-memory-media-storage.js';

// commands/media/media.ts against the in-memory event store and storage.

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const postId = '0190b000-0000-7000-8000-000000000001';
const otherPostId = '0190b000-0000-7000-8000-000000000002';

let storage: InMemoryMediaStorage;
let deps: CommandDeps;
beforeEach(() => {
  storage = createInMemoryMediaStorage();
  deps = { ...commandDeps(), storage };
});

const photo: UploadRequest = { ownerId: ann, filename: 'beach.jpg', contentType: 'image/jpeg', size: 5, purpose: 'post' };
const processedFor = (mediaId: string): ProcessedMedia => ({
  type: 'image',
  width: 640,
  height: 480,
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  dominantColor: '#102030',
  detectedType: 'image/jpeg',
  variants: [
    { name: 'w640', key: mediaKeys.variant(mediaId, 'w640', 'webp'), width: 640, height: 480, contentType: 'image/webp', size: 3 },
    { name: 'w320', key: mediaKeys.variant(mediaId, 'w320', 'webp'), width: 320, height: 240, contentType: 'image/webp', size: 2 },
  ],
});
const later = (ms: number) => ({ ...ctx, now: new Date(Date.parse(now) + ms).toISOString() });

/** An upload of `request`'s bytes, completed. */
const uploadedMedia = async (request: UploadRequest = photo) => {
  const { mediaId } = await requestUpload(deps, request, ctx);
  storage.upload(mediaKeys.original(mediaId), Buffer.alloc(request.size));
  await completeUpload(deps, { actorId: request.ownerId, mediaId }, ctx);
  return mediaId;
};
const readyMedia = async (request: UploadRequest = photo) => {
  const mediaId = await uploadedMedia(request);
  await recordProcessingResult(deps, { mediaId, result: { outcome: 'processed', processed: processedFor(mediaId) } }, ctx);
  return mediaId;
};

describe('requestUpload', () => {
  it('records the request and answers the presigned PUT, bound to the declared type and length', async () => {
    const upload = await requestUpload(deps, photo, ctx);
    expect(upload).toMatchObject({ method: 'PUT', position: await deps.store.headPosition() });
    expect(upload.headers).toMatchObject({ 'content-type': 'image/jpeg', 'content-length': '5' });
    expect(upload.expiresAt).toBe(new Date(Date.parse(now) + UPLOAD_URL_TTL_SECONDS * 1000).toISOString());
    expect(storage.presigned).toEqual([{ key: mediaKeys.original(upload.mediaId), contentType: 'image/jpeg', size: 5 }]);
    const [event] = await deps.store.readStream(streams.media(upload.mediaId));
    expect(event).toMatchObject({
      type: 'MediaUploadRequested',
      data: { ownerId: ann, purpose: 'post', declaredType: 'image/jpeg', declaredSize: 5, originalKey: mediaKeys.original(upload.mediaId), uploadExpiresAt: upload.expiresAt },
    });
  });

  it('refuses a bad declaration before asking the storage, appending nothing', async () => {
    await expect(requestUpload(deps, { ...photo, contentType: 'text/html' }, ctx)).rejects.toMatchObject({ status: 400, code: 'MEDIA_TYPE_UNSUPPORTED' });
    await expect(requestUpload(deps, { ...photo, size: 17 * 1024 * 1024 }, ctx)).rejects.toMatchObject({ status: 400, code: 'MEDIA_TOO_LARGE' });
    await expect(requestUpload(deps, { ...photo, contentType: 'video/mp4', purpose: 'avatar' }, ctx)).rejects.toMatchObject({ code: 'MEDIA_WRONG_PURPOSE' });
    expect(storage.presigned).toEqual([]);
    expect(await deps.store.headPosition()).toBe(START);
  });

  it('answers a storage that is down as one named "storage", appending nothing', async () => {
    storage.setDown(true);
    const error = await requestUpload(deps, photo, ctx).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(backendOf(error)).toBe('storage');
    expect(await deps.store.headPosition()).toBe(START);
  });
});

describe('completeUpload', () => {
  it('records the upload once the bytes are stored', async () => {
    const { mediaId } = await requestUpload(deps, photo, ctx);
    storage.upload(mediaKeys.original(mediaId), Buffer.alloc(5));
    expect(await completeUpload(deps, { actorId: ann, mediaId }, ctx)).toEqual({ mediaId, status: 'processing', position: await deps.store.headPosition() });
    expect(await typesIn(deps.store, streams.media(mediaId))).toEqual(['MediaUploadRequested', 'MediaUploaded']);
  });

  it('refuses before the upload, or with another length, and completing twice', async () => {
    const { mediaId } = await requestUpload(deps, photo, ctx);
    await expect(completeUpload(deps, { actorId: ann, mediaId }, ctx)).rejects.toMatchObject({ status: 422, code: 'MEDIA_NOT_UPLOADED' });
    storage.upload(mediaKeys.original(mediaId), Buffer.alloc(4));
    await expect(completeUpload(deps, { actorId: ann, mediaId }, ctx)).rejects.toMatchObject({ status: 422, code: 'MEDIA_NOT_UPLOADED' });
    storage.upload(mediaKeys.original(mediaId), Buffer.alloc(5));
    await completeUpload(deps, { actorId: ann, mediaId }, ctx);
    await expect(completeUpload(deps, { actorId: ann, mediaId }, ctx)).rejects.toMatchObject({ status: 422, code: 'MEDIA_ALREADY_COMPLETED' });
    expect(await typesIn(deps.store, streams.media(mediaId))).toEqual(['MediaUploadRequested', 'MediaUploaded']);
  });

  it("answers MEDIA_NOT_FOUND to anyone but the owner, and for an unknown id", async () => {
    const { mediaId } = await requestUpload(deps, photo, ctx);
    storage.upload(mediaKeys.original(mediaId), Buffer.alloc(5));
    await expect(completeUpload(deps, { actorId: bob, mediaId }, ctx)).rejects.toMatchObject({ status: 404, code: 'MEDIA_NOT_FOUND' });
    await expect(completeUpload(deps, { actorId: ann, mediaId: postId }, ctx)).rejects.toMatchObject({ status: 404, code: 'MEDIA_NOT_FOUND' });
  });

  it('refuses after the upload URL expired', async () => {
    const { mediaId } = await requestUpload(deps, photo, ctx);
    storage.upload(mediaKeys.original(mediaId), Buffer.alloc(5));
    await expect(completeUpload(deps, { actorId: ann, mediaId }, later(UPLOAD_URL_TTL_SECONDS * 1000 + 1))).rejects.toMatchObject({ code: 'MEDIA_UPLOAD_EXPIRED' });
  });

  it('answers a storage that is down as "storage"', async () => {
    const { mediaId } = await requestUpload(deps, photo, ctx);
    storage.setDown(true);
    expect(backendOf(await completeUpload(deps, { actorId: ann, mediaId }, ctx).catch((caught: unknown) => caught))).toBe('storage');
  });
});

describe('recordProcessingResult', () => {
  it('records the variants once; a retried answer appends nothing', async () => {
    const mediaId = await uploadedMedia();
    const processed = { outcome: 'processed' as const, processed: processedFor(mediaId) };
    expect((await recordProcessingResult(deps, { mediaId, result: processed }, ctx)).appended).toBe(1);
    expect((await recordProcessingResult(deps, { mediaId, result: processed }, ctx)).appended).toBe(0);
    expect((await recordProcessingResult(deps, { mediaId, result: { outcome: 'rejected', reason: 'MEDIA_CORRUPT', message: 'x' } }, ctx)).appended).toBe(0);
    expect(await typesIn(deps.store, streams.media(mediaId))).toEqual(['MediaUploadRequested', 'MediaUploaded', 'MediaProcessed']);
  });

  it('records a rejection with its reason', async () => {
    const mediaId = await uploadedMedia();
    await recordProcessingResult(deps, { mediaId, result: { outcome: 'rejected', reason: 'MEDIA_CORRUPT', message: 'truncated' } }, ctx);
    expect((await deps.store.readStream(streams.media(mediaId))).at(-1)).toMatchObject({ type: 'MediaRejected', data: { reason: 'MEDIA_CORRUPT', message: 'truncated' } });
  });
});

describe('attachMedia', () => {
  it('attaches every item and answers them, with their keys, in the order given', async () => {
    const first = await readyMedia();
    const second = await readyMedia();
    const items = await attachMedia(deps, { actorId: ann, mediaIds: [second, first], purpose: 'post', targetId: postId }, ctx);
    expect(items.map((item) => item.mediaId)).toEqual([second, first]);
    expect(items[0]).toEqual({ mediaId: second, ...processedFor(second) });
    expect(await typesIn(deps.store, streams.media(first))).toContain('MediaAttached');
  });

  it('checks all first: one refusal and nothing is appended anywhere', async () => {
    const ready = await readyMedia();
    const processing = await uploadedMedia();
    const head = await deps.store.headPosition();
    await expect(attachMedia(deps, { actorId: ann, mediaIds: [ready, processing], purpose: 'post', targetId: postId }, ctx)).rejects.toMatchObject({
      code: 'MEDIA_NOT_READY',
    });
    expect(await deps.store.headPosition()).toBe(head);
  });

  it("refuses another user's media as not found, rejected media, and a second attachment elsewhere", async () => {
    const mediaId = await readyMedia();
    await expect(attachMedia(deps, { actorId: bob, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx)).rejects.toMatchObject({ code: 'MEDIA_NOT_FOUND' });
    await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx);
    await expect(attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: otherPostId }, ctx)).rejects.toMatchObject({
      code: 'MEDIA_ALREADY_ATTACHED',
    });
    const rejected = await uploadedMedia();
    await recordProcessingResult(deps, { mediaId: rejected, result: { outcome: 'rejected', reason: 'MEDIA_CORRUPT', message: 'x' } }, ctx);
    await expect(attachMedia(deps, { actorId: ann, mediaIds: [rejected], purpose: 'post', targetId: postId }, ctx)).rejects.toMatchObject({ code: 'MEDIA_REJECTED' });
  });

  it('refuses the same media twice in one list', async () => {
    const mediaId = await readyMedia();
    await expect(attachMedia(deps, { actorId: ann, mediaIds: [mediaId, mediaId], purpose: 'post', targetId: postId }, ctx)).rejects.toMatchObject({
      code: 'MEDIA_ALREADY_ATTACHED',
    });
  });

  it('refuses post media as an avatar', async () => {
    const mediaId = await readyMedia();
    await expect(attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'avatar', targetId: ann }, ctx)).rejects.toMatchObject({ code: 'MEDIA_WRONG_PURPOSE' });
  });

  it('releases what it attached when a later item loses a race, and rethrows', async () => {
    const first = await readyMedia();
    const second = await readyMedia();
    // Between the check and the append of the second item, another post takes it.
    const inner = deps.store;
    let raced = false;
    const store: EventStore = {
      ...inner,
      append: async (streamId, events, expected) => {
        if (streamId === streams.media(second) && !raced) {
          raced = true;
          await attachMedia({ ...deps, store: inner }, { actorId: ann, mediaIds: [second], purpose: 'post', targetId: otherPostId }, ctx);
        }
        return inner.append(streamId, events, expected);
      },
    };
    await expect(attachMedia({ ...deps, store }, { actorId: ann, mediaIds: [first, second], purpose: 'post', targetId: postId }, ctx)).rejects.toMatchObject({
      code: 'MEDIA_ALREADY_ATTACHED',
    });
    expect(await typesIn(inner, streams.media(first))).toEqual(['MediaUploadRequested', 'MediaUploaded', 'MediaProcessed', 'MediaAttached', 'MediaReleased']);
    // The first is free again for another post.
    expect(await attachMedia(deps, { actorId: ann, mediaIds: [first], purpose: 'post', targetId: otherPostId }, ctx)).toHaveLength(1);
  });

  it('attaching again to the same target (a retry) appends nothing and answers the items', async () => {
    const mediaId = await readyMedia();
    await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx);
    const head = await deps.store.headPosition();
    expect(await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx)).toHaveLength(1);
    expect(await deps.store.headPosition()).toBe(head);
  });
});

describe('releaseMedia, deleteMedia and expireMedia', () => {
  it('releases only from the target it is attached to', async () => {
    const mediaId = await readyMedia();
    await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx);
    await releaseMedia(deps, { mediaIds: [mediaId], targetId: otherPostId }, ctx);
    expect((await deps.store.readStream(streams.media(mediaId))).at(-1)?.type).toBe('MediaAttached');
    await releaseMedia(deps, { mediaIds: [mediaId], targetId: postId }, ctx);
    expect((await deps.store.readStream(streams.media(mediaId))).at(-1)?.type).toBe('MediaReleased');
  });

  it('deletes attached media and answers its keys, again on a retry', async () => {
    const mediaId = await readyMedia();
    await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx);
    const keys = [mediaKeys.original(mediaId), mediaKeys.variant(mediaId, 'w640', 'webp'), mediaKeys.variant(mediaId, 'w320', 'webp')];
    expect(await deleteMedia(deps, { mediaId }, ctx)).toEqual(keys);
    expect(await deleteMedia(deps, { mediaId }, ctx)).toEqual(keys);
    expect((await typesIn(deps.store, streams.media(mediaId))).filter((type) => type === 'MediaDeleted')).toHaveLength(1);
  });

  it('leaves unattached media to the sweeper', async () => {
    const mediaId = await readyMedia();
    expect(await deleteMedia(deps, { mediaId }, ctx)).toEqual([]);
  });

  it('expires an upload never completed once its URL expired, and ready media never attached after the TTL', async () => {
    const { mediaId: pending } = await requestUpload(deps, photo, ctx);
    expect(await expireMedia(deps, { mediaId: pending }, ctx)).toEqual([]);
    expect(await expireMedia(deps, { mediaId: pending }, later(UPLOAD_URL_TTL_SECONDS * 1000 + 1))).toEqual([mediaKeys.original(pending)]);

    const ready = await readyMedia();
    expect(await expireMedia(deps, { mediaId: ready }, later(UNATTACHED_MEDIA_TTL_MS - 1))).toEqual([]);
    expect(await expireMedia(deps, { mediaId: ready }, later(UNATTACHED_MEDIA_TTL_MS))).toHaveLength(3);
  });

  it('never expires attached media', async () => {
    const mediaId = await readyMedia();
    await attachMedia(deps, { actorId: ann, mediaIds: [mediaId], purpose: 'post', targetId: postId }, ctx);
    expect(await expireMedia(deps, { mediaId }, later(2 * UNATTACHED_MEDIA_TTL_MS))).toEqual([]);
  });
});
