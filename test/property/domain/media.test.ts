import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyMediaEvent, mediaDecider, purposeFits, type MediaCommand, type MediaState, type RequestUpload } from '../../../domain/media/media.js';
import type { ProcessedMedia } from '../../../events/index.js';
import { IMAGE_MAX_BYTES, UNATTACHED_MEDIA_TTL_MS } from '../../../kernel/limits.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands, type Step } from '../../support/decider-spec.js';

// The media aggregate's rules (domain/media/media.ts, docs/rules.md), each over random command
// sequences against one media stream: two people, two targets, instants spread over twice the
// unattached TTL, stored sizes right, wrong or absent.

const mediaId = '0190c000-0000-7000-8000-000000000001';
const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const targets = ['0190b000-0000-7000-8000-000000000001', '0190b000-0000-7000-8000-000000000002'] as const;
const declaredSize = 1234;
const requestedAtMs = Date.parse('2025-03-01T10:00:00.000Z');
const uploadTtlMs = 15 * 60 * 1000;

const anyPerson = fc.constantFrom(ann, ann, bob);
const anyTarget = fc.constantFrom(...targets);
const anyPurpose = fc.constantFrom('post' as const, 'story' as const, 'avatar' as const);
// Mostly within the upload window, sometimes past it, sometimes past the unattached TTL.
const anyInstant = fc
  .oneof(fc.integer({ min: 0, max: uploadTtlMs + 1000 }), fc.integer({ min: 0, max: 2 * UNATTACHED_MEDIA_TTL_MS }))
  .map((offset) => new Date(requestedAtMs + offset).toISOString());

const processedOf = (type: 'image' | 'video'): ProcessedMedia => ({
  type,
  width: 640,
  height: 480,
  ...(type === 'video' ? { durationMs: 3000 } : {}),
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  dominantColor: '#102030',
  detectedType: type === 'image' ? 'image/jpeg' : 'video/mp4',
  variants: [{ name: 'w640', key: `media/${mediaId}/w640.jpg`, width: 640, height: 480, contentType: 'image/jpeg', size: 99 }],
});

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
  fc.record({ type: fc.constant('RecordProcessed' as const), mediaId: fc.constant(mediaId), processed: fc.constantFrom('image' as const, 'video' as const).map(processedOf), now: anyInstant }),
  fc.record({ type: fc.constant('RecordRejected' as const), mediaId: fc.constant(mediaId), reason: fc.constant('MEDIA_CORRUPT'), message: fc.constant('truncated'), now: anyInstant }),
  fc.record({ type: fc.constant('AttachMedia' as const), mediaId: fc.constant(mediaId), actorId: anyPerson, purpose: anyPurpose, targetId: anyTarget, now: anyInstant }),
  fc.record({ type: fc.constant('ReleaseMedia' as const), mediaId: fc.constant(mediaId), targetId: anyTarget, now: anyInstant }),
  fc.record({ type: fc.constant('DeleteMedia' as const), mediaId: fc.constant(mediaId), now: anyInstant }),
  fc.record({ type: fc.constant('ExpireMedia' as const), mediaId: fc.constant(mediaId), now: anyInstant }),
);

// Most sequences begin with a request, many go on along the happy path (completed in time, then
// processed, most often, then attached), so that the later commands meet every state.
const validRequest = requestUpload.map((command): RequestUpload => ({ ...command, declaredType: 'image/jpeg', declaredSize }));
const happyPath = fc
  .tuple(
    validRequest,
    fc.integer({ min: 0, max: uploadTtlMs }),
    fc.constantFrom<MediaCommand['type']>('RecordProcessed', 'RecordProcessed', 'RecordRejected'),
    fc.integer({ min: 1, max: 4 }),
    anyTarget,
  )
  .map(([request, offset, answer, length, targetId]): MediaCommand[] => {
    const now = new Date(requestedAtMs + offset).toISOString();
    const answered: MediaCommand =
      answer === 'RecordProcessed'
        ? { type: 'RecordProcessed', mediaId, processed: processedOf('image'), now }
        : { type: 'RecordRejected', mediaId, reason: 'MEDIA_CORRUPT', message: 'truncated', now };
    const attach: MediaCommand = { type: 'AttachMedia', mediaId, actorId: ann, purpose: request.purpose, targetId, now };
    const complete: MediaCommand = { type: 'CompleteUpload', mediaId, actorId: ann, storedSize: declaredSize, now };
    return [request, complete, answered, attach].slice(0, length);
  });
const mediaCommands = fc.oneof(
  fc.array(mediaCommand, { maxLength: 20 }),
  fc.tuple(requestUpload, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]): MediaCommand[] => [first, ...rest]),
  fc.tuple(happyPath, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]) => [...first, ...rest]),
  fc.tuple(happyPath, fc.array(mediaCommand, { maxLength: 25 })).map(([first, rest]) => [...first, ...rest]),
);

const runs = { numRuns: 300 };
type MediaStep = Step<MediaCommand, MediaState, ReturnType<typeof mediaDecider.decide>[number]>;
const emits = (step: MediaStep, type: string) => step.events.some((event) => event.type === type);
const stepsOf = (cmds: MediaCommand[]) => runCommands(mediaDecider, cmds).steps;

/** Runs `check` on every step of many sequences, and fails if `seen` never held (the property held vacuously). */
const everyStep = (check: (step: MediaStep) => void, seen: (step: MediaStep) => boolean) => {
  let count = 0;
  fc.assert(
    fc.property(mediaCommands, (cmds) => {
      for (const step of stepsOf(cmds)) {
        if (seen(step)) count++;
        check(step);
      }
    }),
    runs,
  );
  expect(count).toBeGreaterThan(0);
};

describe('media decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: mediaDecider, canApply: canApplyMediaEvent, commands: mediaCommands });
});

describe('media rules', () => {
  it('only the owner completes or attaches: every MediaUploaded and MediaAttached was asked for by the owner, others get MEDIA_NOT_FOUND', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'CompleteUpload' && command.type !== 'AttachMedia') return;
        const owner = before.status !== 'none' && before.ownerId === command.actorId;
        if (events.length > 0) expect(owner).toBe(true);
        if (!owner) expect(refused?.code).toBe('MEDIA_NOT_FOUND');
      },
      (step) => step.command.type === 'AttachMedia' && step.events.length > 0,
    ));

  it('an upload completes once: a stream holds at most one MediaUploaded, and completing again is MEDIA_ALREADY_COMPLETED', () =>
    fc.assert(
      fc.property(mediaCommands, (cmds) => {
        const { history, steps } = runCommands(mediaDecider, cmds);
        expect(history.filter((event) => event.type === 'MediaUploaded').length).toBeLessThanOrEqual(1);
        for (const { command, before, refused } of steps) {
          const done = before.status === 'processing' || before.status === 'ready' || before.status === 'rejected' || before.status === 'attached';
          if (command.type === 'CompleteUpload' && done && before.ownerId === command.actorId) expect(refused?.code).toBe('MEDIA_ALREADY_COMPLETED');
        }
      }),
      runs,
    ));

  it('an upload completes only when the stored size is the declared size, else MEDIA_NOT_UPLOADED', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'CompleteUpload' || before.status !== 'pending' || before.ownerId !== command.actorId) return;
        if (Date.parse(command.now) > Date.parse(before.uploadExpiresAt)) return;
        if (command.storedSize === before.declaredSize) expect(events.map((event) => event.type)).toEqual(['MediaUploaded']);
        else expect(refused?.code).toBe('MEDIA_NOT_UPLOADED');
      },
      (step) => emits(step, 'MediaUploaded'),
    ));

  it('an upload never completes after uploadExpiresAt (MEDIA_UPLOAD_EXPIRED)', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'CompleteUpload' || before.status !== 'pending' || before.ownerId !== command.actorId) return;
        if (Date.parse(command.now) <= Date.parse(before.uploadExpiresAt)) return;
        expect(events).toEqual([]);
        expect(refused?.code).toBe('MEDIA_UPLOAD_EXPIRED');
      },
      (step) => step.refused?.code === 'MEDIA_UPLOAD_EXPIRED',
    ));

  it('processing answers once and only after the upload: one MediaProcessed or MediaRejected at most, after MediaUploaded; a repeat is a no-op', () =>
    fc.assert(
      fc.property(mediaCommands, (cmds) => {
        const { history, steps } = runCommands(mediaDecider, cmds);
        const answers = history.map((event, index) => [event.type, index] as const).filter(([type]) => type === 'MediaProcessed' || type === 'MediaRejected');
        expect(answers.length).toBeLessThanOrEqual(1);
        for (const [, index] of answers) expect(history.slice(0, index).some((event) => event.type === 'MediaUploaded')).toBe(true);
        for (const { command, before, events, refused } of steps) {
          if (command.type !== 'RecordProcessed' && command.type !== 'RecordRejected') continue;
          if (before.status === 'processing') expect(events.length).toBe(1);
          else if (before.status === 'none' || before.status === 'pending') expect(refused).not.toBeNull();
          else expect([events, refused]).toEqual([[], null]);
        }
      }),
      runs,
    ));

  it('media is attached only when processed: MEDIA_NOT_READY while pending or processing, MEDIA_REJECTED when rejected', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'AttachMedia') return;
        if (events.length > 0) expect(before.status).toBe('ready');
        if (before.status === 'none' || before.ownerId !== command.actorId) return;
        if (before.status === 'pending' || before.status === 'processing') expect(refused?.code).toBe('MEDIA_NOT_READY');
        if (before.status === 'rejected') expect(refused?.code).toBe('MEDIA_REJECTED');
      },
      (step) => step.refused?.code === 'MEDIA_NOT_READY' || step.refused?.code === 'MEDIA_REJECTED',
    ));

  it('media is attached once: to another target MEDIA_ALREADY_ATTACHED, to the same target again a no-op', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'AttachMedia' || before.status !== 'attached' || before.ownerId !== command.actorId) return;
        if (before.targetId === command.targetId) expect([events, refused]).toEqual([[], null]);
        else expect(refused?.code).toBe('MEDIA_ALREADY_ATTACHED');
      },
      (step) => step.refused?.code === 'MEDIA_ALREADY_ATTACHED',
    ));

  it('the purpose must fit: avatar media only as an avatar and only an image, post and story media either way (MEDIA_WRONG_PURPOSE)', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (command.type !== 'AttachMedia' || before.status !== 'ready' || before.ownerId !== command.actorId) return;
        const fits = purposeFits(before.purpose, command.purpose, before.processed!.type);
        if (fits) expect(events.map((event) => event.type)).toEqual(['MediaAttached']);
        else expect(refused?.code).toBe('MEDIA_WRONG_PURPOSE');
      },
      (step) => step.refused?.code === 'MEDIA_WRONG_PURPOSE',
    ));

  it('media is released only from the target it is attached to', () =>
    everyStep(
      ({ command, before, events }) => {
        if (command.type !== 'ReleaseMedia') return;
        const holds = before.status === 'attached' && before.targetId === command.targetId;
        expect(events.length).toBe(holds ? 1 : 0);
      },
      (step) => emits(step, 'MediaReleased'),
    ));

  it('media is deleted only when attached, and once', () =>
    everyStep(
      ({ command, before, events }) => {
        if (command.type !== 'DeleteMedia') return;
        expect(events.length).toBe(before.status === 'attached' ? 1 : 0);
      },
      (step) => emits(step, 'MediaDeleted'),
    ));

  it('media expires only when unattached and due: never completed past uploadExpiresAt, or processed or rejected past requestedAt + UNATTACHED_MEDIA_TTL_MS; never attached media', () =>
    everyStep(
      ({ command, before, events }) => {
        if (command.type !== 'ExpireMedia' || before.status === 'none') return;
        const now = Date.parse(command.now);
        const due =
          (before.status === 'pending' && now > Date.parse(before.uploadExpiresAt)) ||
          ((before.status === 'ready' || before.status === 'rejected') && now >= Date.parse(before.requestedAt) + UNATTACHED_MEDIA_TTL_MS);
        expect(events.length).toBe(due ? 1 : 0);
        if (before.status === 'attached') expect(events).toEqual([]);
      },
      (step) => emits(step, 'MediaExpired'),
    ));

  it('an upload never completed expires: from any pending state, ExpireMedia past uploadExpiresAt expires it', () =>
    fc.assert(
      fc.property(mediaCommands, (cmds) => {
        for (const { after } of stepsOf(cmds)) {
          if (after.status !== 'pending') continue;
          const late = new Date(Date.parse(after.uploadExpiresAt) + 1).toISOString();
          expect(mediaDecider.decide({ type: 'ExpireMedia', mediaId, now: late }, after).map((event) => event.type)).toEqual(['MediaExpired']);
        }
      }),
      runs,
    ));

  it('deleted or expired media accepts nothing: every later command emits nothing, attaching is MEDIA_NOT_FOUND', () =>
    everyStep(
      ({ command, before, events, refused }) => {
        if (before.status !== 'deleted' && before.status !== 'expired') return;
        expect(events).toEqual([]);
        if (command.type === 'AttachMedia') expect(refused?.code).toBe('MEDIA_NOT_FOUND');
      },
      (step) => step.before.status === 'deleted' || step.before.status === 'expired',
    ));
});
