import { describe, expect, it } from 'vitest';
import { mediaDecider, purposeFits, type MediaCommand, type MediaEvent } from '../../../domain/media/media.js';
import type { ProcessedMedia } from '../../../events/index.js';
import { IMAGE_MAX_BYTES, UNATTACHED_MEDIA_TTL_MS, VIDEO_MAX_BYTES } from '../../../kernel/limits.js';
import { deciderSpec, domainErrorOf, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(mediaDecider);

const mediaId = '0190c000-0000-7000-8000-000000000001';
const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const postId = '0190b000-0000-7000-8000-000000000001';
const otherPostId = '0190b000-0000-7000-8000-000000000002';

const requestedAt = '2025-03-01T10:00:00.000Z';
const uploadExpiresAt = '2025-03-01T10:15:00.000Z';
const later = '2025-03-01T10:05:00.000Z';
const pastUpload = '2025-03-01T10:15:00.001Z';
const pastTtl = new Date(Date.parse(requestedAt) + UNATTACHED_MEDIA_TTL_MS).toISOString();
const originalKey = `media/${mediaId}/original`;

const processed: ProcessedMedia = {
  type: 'image',
  width: 1080,
  height: 720,
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  dominantColor: '#aabbcc',
  detectedType: 'image/jpeg',
  variants: [{ name: 'w1080', key: `media/${mediaId}/w1080.webp`, width: 1080, height: 720, contentType: 'image/webp', size: 1000 }],
};

const requested = (purpose: 'post' | 'story' | 'avatar' = 'post'): MediaEvent => ({
  type: 'MediaUploadRequested',
  data: { mediaId, ownerId: ann, purpose, filename: 'a.jpg', declaredType: 'image/jpeg', declaredSize: 1234, originalKey, requestedAt, uploadExpiresAt },
});
const uploaded: MediaEvent = { type: 'MediaUploaded', data: { mediaId, ownerId: ann, size: 1234, uploadedAt: later } };
const processedEvent: MediaEvent = { type: 'MediaProcessed', data: { mediaId, ownerId: ann, ...processed, processedAt: later } };
const rejected: MediaEvent = { type: 'MediaRejected', data: { mediaId, ownerId: ann, reason: 'MEDIA_CORRUPT', message: 'truncated', rejectedAt: later } };
const attached = (targetId = postId, purpose: 'post' | 'story' | 'avatar' = 'post'): MediaEvent => ({
  type: 'MediaAttached',
  data: { mediaId, ownerId: ann, purpose, targetId, attachedAt: later },
});
const released: MediaEvent = { type: 'MediaReleased', data: { mediaId, ownerId: ann, targetId: postId, releasedAt: later } };
const deleted: MediaEvent = { type: 'MediaDeleted', data: { mediaId, ownerId: ann, deletedAt: later } };
const expired = (at = pastUpload): MediaEvent => ({ type: 'MediaExpired', data: { mediaId, ownerId: ann, expiredAt: at } });

const ready = (purpose: 'post' | 'story' | 'avatar' = 'post') => [requested(purpose), uploaded, processedEvent];

const requestUpload = (overrides: Partial<Extract<MediaCommand, { type: 'RequestUpload' }>> = {}): MediaCommand => ({
  type: 'RequestUpload',
  mediaId,
  ownerId: ann,
  purpose: 'post',
  filename: 'a.jpg',
  declaredType: 'image/jpeg',
  declaredSize: 1234,
  originalKey,
  uploadExpiresAt,
  now: requestedAt,
  ...overrides,
});
const complete = (storedSize: number | null = 1234, actorId = ann, now = later): MediaCommand => ({ type: 'CompleteUpload', mediaId, actorId, storedSize, now });
const recordProcessed: MediaCommand = { type: 'RecordProcessed', mediaId, processed, now: later };
const recordRejected: MediaCommand = { type: 'RecordRejected', mediaId, reason: 'MEDIA_CORRUPT', message: 'truncated', now: later };
const attach = (targetId = postId, purpose: 'post' | 'story' | 'avatar' = 'post', actorId = ann): MediaCommand => ({
  type: 'AttachMedia',
  mediaId,
  actorId,
  purpose,
  targetId,
  now: later,
});
const release = (targetId = postId): MediaCommand => ({ type: 'ReleaseMedia', mediaId, targetId, now: later });
const remove: MediaCommand = { type: 'DeleteMedia', mediaId, now: later };
const expire = (now: string): MediaCommand => ({ type: 'ExpireMedia', mediaId, now });

describe('RequestUpload', () => {
  it('records the request', () => given([]).when(requestUpload()).then([requested()]));
  it('emits nothing for a stream already begun (a retry)', () => given([requested()]).when(requestUpload()).then([]));
  it('refuses an unsupported content type, naming the field', () => {
    given([]).when(requestUpload({ declaredType: 'application/pdf' })).then(failsWith(400, 'MEDIA_TYPE_UNSUPPORTED'));
    const error = domainErrorOf(() => mediaDecider.decide(requestUpload({ declaredType: 'text/html' }), { status: 'none' }));
    expect(error.details).toEqual([expect.objectContaining({ path: 'contentType' })]);
  });
  it('refuses an image over 16 MB, naming the size', () => {
    given([]).when(requestUpload({ declaredSize: IMAGE_MAX_BYTES + 1 })).then(failsWith(400, 'MEDIA_TOO_LARGE'));
    const error = domainErrorOf(() => mediaDecider.decide(requestUpload({ declaredSize: IMAGE_MAX_BYTES + 1 }), { status: 'none' }));
    expect(error.details).toEqual([expect.objectContaining({ path: 'size' })]);
  });
  it('takes a video up to 100 MB, not more', () => {
    given([]).when(requestUpload({ declaredType: 'video/mp4', declaredSize: VIDEO_MAX_BYTES })).then([
      { type: 'MediaUploadRequested', data: { ...requested().data, declaredType: 'video/mp4', declaredSize: VIDEO_MAX_BYTES } } as MediaEvent,
    ]);
    given([]).when(requestUpload({ declaredType: 'video/mp4', declaredSize: VIDEO_MAX_BYTES + 1 })).then(failsWith(400, 'MEDIA_TOO_LARGE'));
  });
  it('refuses a video for an avatar', () =>
    given([]).when(requestUpload({ purpose: 'avatar', declaredType: 'video/mp4' })).then(failsWith(422, 'MEDIA_WRONG_PURPOSE')));
});

describe('CompleteUpload', () => {
  it('records the upload when the stored size is the declared one', () => given([requested()]).when(complete()).then([uploaded]));
  it('refuses when nothing was uploaded', () => given([requested()]).when(complete(null)).then(failsWith(422, 'MEDIA_NOT_UPLOADED')));
  it('refuses when the size is not the declared one', () => given([requested()]).when(complete(1233)).then(failsWith(422, 'MEDIA_NOT_UPLOADED')));
  it('refuses a second completion', () => given([requested(), uploaded]).when(complete()).then(failsWith(422, 'MEDIA_ALREADY_COMPLETED')));
  it('refuses after the upload URL expired', () => given([requested()]).when(complete(1234, ann, pastUpload)).then(failsWith(422, 'MEDIA_UPLOAD_EXPIRED')));
  it('completes at the last instant of the upload URL', () =>
    given([requested()]).when(complete(1234, ann, uploadExpiresAt)).then([{ type: 'MediaUploaded', data: { ...uploaded.data, uploadedAt: uploadExpiresAt } } as MediaEvent]));
  it('tells anyone but the owner there is no such media', () => given([requested()]).when(complete(1234, bob)).then(failsWith(404, 'MEDIA_NOT_FOUND')));
  it('answers MEDIA_NOT_FOUND for an unknown id', () => given([]).when(complete()).then(failsWith(404, 'MEDIA_NOT_FOUND')));
  it('refuses expired media as expired', () => given([requested(), expired()]).when(complete()).then(failsWith(422, 'MEDIA_UPLOAD_EXPIRED')));
});

describe('RecordProcessed and RecordRejected', () => {
  it('records the variants of uploaded media', () => given([requested(), uploaded]).when(recordProcessed).then([processedEvent]));
  it('records a rejection with its reason', () => given([requested(), uploaded]).when(recordRejected).then([rejected]));
  it('emits nothing for a second answer (a retried worker)', () => {
    given([requested(), uploaded, processedEvent]).when(recordProcessed).then([]);
    given([requested(), uploaded, processedEvent]).when(recordRejected).then([]);
    given([requested(), uploaded, rejected]).when(recordProcessed).then([]);
  });
  it('refuses media not uploaded yet', () => given([requested()]).when(recordProcessed).then(failsWith(422, 'MEDIA_NOT_UPLOADED')));
  it('emits nothing for media deleted meanwhile', () => given([...ready(), attached(), deleted]).when(recordProcessed).then([]));
});

describe('AttachMedia', () => {
  it('attaches ready media to a post', () => given(ready()).when(attach()).then([attached()]));
  it('attaches post media to a story, and story media to a post', () => {
    given(ready('post')).when(attach(postId, 'story')).then([attached(postId, 'story')]);
    given(ready('story')).when(attach(postId, 'post')).then([attached(postId, 'post')]);
  });
  it('attaches avatar media only as an avatar', () => {
    given(ready('avatar')).when(attach(ann, 'avatar')).then([attached(ann, 'avatar')]);
    given(ready('avatar')).when(attach(postId, 'post')).then(failsWith(422, 'MEDIA_WRONG_PURPOSE'));
    given(ready('post')).when(attach(ann, 'avatar')).then(failsWith(422, 'MEDIA_WRONG_PURPOSE'));
  });
  it('refuses media still pending or processing', () => {
    given([requested()]).when(attach()).then(failsWith(422, 'MEDIA_NOT_READY'));
    given([requested(), uploaded]).when(attach()).then(failsWith(422, 'MEDIA_NOT_READY'));
  });
  it('refuses rejected media', () => given([requested(), uploaded, rejected]).when(attach()).then(failsWith(422, 'MEDIA_REJECTED')));
  it('refuses media attached elsewhere', () => given([...ready(), attached()]).when(attach(otherPostId)).then(failsWith(422, 'MEDIA_ALREADY_ATTACHED')));
  it('emits nothing when attached to the same target again (a retry)', () => given([...ready(), attached()]).when(attach()).then([]));
  it("tells another user the media does not exist", () => given(ready()).when(attach(postId, 'post', bob)).then(failsWith(404, 'MEDIA_NOT_FOUND')));
  it('refuses deleted or expired media as not found', () => {
    given([...ready(), attached(), deleted]).when(attach()).then(failsWith(404, 'MEDIA_NOT_FOUND'));
    given([...ready(), expired(pastTtl)]).when(attach()).then(failsWith(404, 'MEDIA_NOT_FOUND'));
  });
  it('attaches again once released', () => given([...ready(), attached(), released]).when(attach(otherPostId)).then([attached(otherPostId)]));
});

describe('ReleaseMedia', () => {
  it('releases an attachment to that target', () => given([...ready(), attached()]).when(release()).then([released]));
  it('emits nothing for another target, or media not attached', () => {
    given([...ready(), attached()]).when(release(otherPostId)).then([]);
    given(ready()).when(release()).then([]);
    given([]).when(release()).then([]);
  });
});

describe('DeleteMedia', () => {
  it('deletes attached media', () => given([...ready(), attached()]).when(remove).then([deleted]));
  it('emits nothing the second time', () => given([...ready(), attached(), deleted]).when(remove).then([]));
  it('leaves media never attached to the sweeper', () => {
    given(ready()).when(remove).then([]);
    given([requested()]).when(remove).then([]);
  });
  it('answers MEDIA_NOT_FOUND for an unknown id', () => given([]).when(remove).then(failsWith(404, 'MEDIA_NOT_FOUND')));
});

describe('ExpireMedia', () => {
  it('expires an upload never completed, once its URL expired', () => {
    given([requested()]).when(expire(pastUpload)).then([expired()]);
    given([requested()]).when(expire(uploadExpiresAt)).then([]);
  });
  it('expires processed or rejected media never attached, after UNATTACHED_MEDIA_TTL_MS', () => {
    given(ready()).when(expire(pastTtl)).then([expired(pastTtl)]);
    given([requested(), uploaded, rejected]).when(expire(pastTtl)).then([expired(pastTtl)]);
    given(ready()).when(expire(pastUpload)).then([]);
  });
  it('never expires attached media, nor media being processed', () => {
    given([...ready(), attached()]).when(expire(pastTtl)).then([]);
    given([requested(), uploaded]).when(expire(pastTtl)).then([]);
  });
  it('expires released media like any unattached media', () => given([...ready(), attached(), released]).when(expire(pastTtl)).then([expired(pastTtl)]));
  it('emits nothing the second time, nor for deleted media', () => {
    given([requested(), expired()]).when(expire(pastTtl)).then([]);
    given([...ready(), attached(), deleted]).when(expire(pastTtl)).then([]);
  });
});

describe('purposeFits', () => {
  it('lets post and story media go either way, avatar media only to an avatar and only an image', () => {
    expect(purposeFits('post', 'story', 'video')).toBe(true);
    expect(purposeFits('story', 'post', 'image')).toBe(true);
    expect(purposeFits('avatar', 'avatar', 'image')).toBe(true);
    expect(purposeFits('avatar', 'avatar', 'video')).toBe(false);
    expect(purposeFits('avatar', 'post', 'image')).toBe(false);
    expect(purposeFits('post', 'avatar', 'image')).toBe(false);
  });
});
