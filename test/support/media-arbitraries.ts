import fc from 'fast-check';
import type { MediaCommand, RequestUpload } from '../../domain/media/media.js';
import type { ProcessedMedia } from '../../events/index.js';
import { IMAGE_MAX_BYTES, UNATTACHED_MEDIA_TTL_MS } from '../../kernel/limits.js';

// Random command sequences for the media aggregate (domain/media/media.ts): what its properties
// (test/property/domain/media.test.ts) and its read model's (test/property/projections/media-projection.test.ts) run on.

export const ann = '0190a000-0000-7000-8000-000000000001';
export const bob = '0190a000-0000-7000-8000-000000000002';
export const targets = ['0190b000-0000-7000-8000-000000000001', '0190b000-0000-7000-8000-000000000002'] as const;
export const declaredSize = 1234;
export const requestedAtMs = Date.parse('2025-03-01T10:00:00.000Z');
export const uploadTtlMs = 15 * 60 * 1000;

const anyPerson = fc.constantFrom(ann, ann, bob);
const anyTarget = fc.constantFrom(...targets);
const anyPurpose = fc.constantFrom('post' as const, 'story' as const, 'avatar' as const);
// Mostly within the upload window, sometimes past it, sometimes past the unattached TTL.
const anyInstant = fc
  .oneof(fc.integer({ min: 0, max: uploadTtlMs + 1000 }), fc.integer({ min: 0, max: 2 * UNATTACHED_MEDIA_TTL_MS }))
  .map((offset) => new Date(requestedAtMs + offset).toISOString());

export const processedOf = (mediaId: string, type: 'image' | 'video'): ProcessedMedia => ({
  type,
  width: 640,
  height: 480,
  ...(type === 'video' ? { durationMs: 3000 } : {}),
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  dominantColor: '#102030',
  detectedType: type === 'image' ? 'image/jpeg' : 'video/mp4',
  variants: [{ name: 'w640', key: `media/${mediaId}/w640.jpg`, width: 640, height: 480, contentType: 'image/jpeg', size: 99 }],
});

/**
 * Command sequences against the one stream media-{mediaId}: two people, two targets, instants
 * spread over twice the unattached TTL, stored sizes right, wrong or absent. Most sequences begin
 * with a request, many go on along the happy path (completed in time, then processed, most often,
 * then attached), so that the later commands meet every state.
 */
export const mediaCommandsFor = (mediaId: string): fc.Arbitrary<MediaCommand[]> => {
  const requestUpload: fc.Arbitrary<RequestUpload> = fc.record({
    type: fc.constant('RequestUpload' as const),
    mediaId: fc.constant(mediaId),
    ownerId: fc.constant(ann),
    purpose: anyPurpose,
    filename: fc.constant('a.jpg'),
    declaredType: fc.constantFrom('image/jpeg', 'image/jpeg', 'video/mp4', 'application/pdf'),
    declaredSize: fc.constantFrom(declaredSize, declaredSize, IMAGE_MAX_BYTES + 1),
    originalKey: fc.constant(`media/${mediaId}/original`),
    uploadExpiresAt: fc.constant(new Date(requestedAtMs + uploadTtlMs).toISOString()),
    now: fc.constant(new Date(requestedAtMs).toISOString()),
  });

  const mediaCommand: fc.Arbitrary<MediaCommand> = fc.oneof(
    requestUpload,
    fc.record({
      type: fc.constant('CompleteUpload' as const),
      mediaId: fc.constant(mediaId),
      actorId: anyPerson,
      storedSize: fc.constantFrom(declaredSize, declaredSize, declaredSize - 1, null),
      now: anyInstant,
    }),
    fc.record({ type: fc.constant('RecordProcessed' as const), mediaId: fc.constant(mediaId), processed: fc.constantFrom('image' as const, 'video' as const).map((type) => processedOf(mediaId, type)), now: anyInstant }),
    fc.record({ type: fc.constant('RecordRejected' as const), mediaId: fc.constant(mediaId), reason: fc.constant('MEDIA_CORRUPT'), message: fc.constant('truncated'), now: anyInstant }),
    fc.record({ type: fc.constant('AttachMedia' as const), mediaId: fc.constant(mediaId), actorId: anyPerson, purpose: anyPurpose, targetId: anyTarget, now: anyInstant }),
    fc.record({ type: fc.constant('ReleaseMedia' as const), mediaId: fc.constant(mediaId), targetId: anyTarget, now: anyInstant }),
    fc.record({ type: fc.constant('DeleteMedia' as const), mediaId: fc.constant(mediaId), now: anyInstant }),
    fc.record({ type: fc.constant('ExpireMedia' as const), mediaId: fc.constant(mediaId), now: anyInstant }),
  );

  const validRequest = requestUpload.map((command): RequestUpload => ({ ...command, declaredType: 'image/jpeg', declaredSize }));
  const happyPath = fc
    .tuple(
      validRequest,
      fc.integer({ min: 0, max: uploadTtlMs }),
      fc.constantFrom<MediaCommand['type']>('RecordProcessed', 'RecordProcessed', 'RecordRejected'),
      fc.constantFrom(1, 2, 3, 4, 4, 4),
      anyTarget,
    )
    .map(([request, offset, answer, length, targetId]): MediaCommand[] => {
      const now = new Date(requestedAtMs + offset).toISOString();
      const answered: MediaCommand =
        answer === 'RecordProcessed'
          ? { type: 'RecordProcessed', mediaId, processed: processedOf(mediaId, 'image'), now }
          : { type: 'RecordRejected', mediaId, reason: 'MEDIA_CORRUPT', message: 'truncated', now };
      const attach: MediaCommand = { type: 'AttachMedia', mediaId, actorId: ann, purpose: request.purpose, targetId, now };
      const complete: MediaCommand = { type: 'CompleteUpload', mediaId, actorId: ann, storedSize: declaredSize, now };
      return [request, complete, answered, attach].slice(0, length);
    });
  return fc.oneof(
    fc.array(mediaCommand, { maxLength: 20 }),
    fc.tuple(requestUpload, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]): MediaCommand[] => [first, ...rest]),
    fc.tuple(happyPath, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]) => [...first, ...rest]),
    fc.tuple(happyPath, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]) => [...first, ...rest]),
  );
};
