import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyMediaEvent, mediaDecider, purposeFits, type MediaCommand, type MediaState } from '../../../domain/media/media.js';
import { UNATTACHED_MEDIA_TTL_MS } from '../../../kernel/limits.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands, type Step } from '../../support/decider-spec.js';
import { mediaCommandsFor } from '../../support/media-arbitraries.js';

// The media aggregate's rules (domain/media/media.ts, docs/rules.md), each over random command
// sequences against one media stream (test/support/media-arbitraries.ts).

const mediaId = '0190c000-0000-7000-8000-000000000001';
const mediaCommands = mediaCommandsFor(mediaId);

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
      ({ command, before }) => command.type === 'AttachMedia' && before.status === 'attached' && before.ownerId === command.actorId,
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
