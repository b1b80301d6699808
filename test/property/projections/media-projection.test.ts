import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaDecider, type MediaState } from '../../../domain/media/media.js';
import type { RecordedEvent } from '../../../events/index.js';
import { streams } from '../../../events/streams.js';
import { currentVersion } from '../../../events/registry.js';
import { createMediaProjection, MEDIA } from '../../../projections/media/media-projection.js';
import { createMediaReader, type MediaRecord } from '../../../projections/media/media-reader.js';
import { MEDIA_TABLES, setupMediaSchema } from '../../../projections/media/media-schema.js';
import { dumpTables } from '../../../projections/runtime/dump-postgres.js';
import { runCommands } from '../../support/decider-spec.js';
import { syntheticPosition } from '../../support/history-arbitraries.js';
import { mediaCommandsFor } from '../../support/media-arbitraries.js';
import { applyEvents, InjectedFailure, poolFailingAt } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// docs/architecture.md "Testing": for random histories of a few media streams, interleaved at
// random, the media read model holds what the media decider folds each stream into, whatever the
// batching, with batches applied twice, and after a crash inside a batch's transaction and a resume.

const mediaIds = ['0190c000-0000-7000-8000-000000000001', '0190c000-0000-7000-8000-000000000002', '0190c000-0000-7000-8000-000000000003'];

interface MediaLog {
  states: Map<string, MediaState>;
  log: RecordedEvent[];
}

/** Each stream's accepted events from its commands, merged in the order `picks` says (each stream's own order kept). */
const anyMediaLog: fc.Arbitrary<MediaLog> = fc
  .tuple(fc.tuple(...mediaIds.map((mediaId) => mediaCommandsFor(mediaId))), fc.array(fc.nat({ max: mediaIds.length - 1 }), { maxLength: 200 }))
  .map(([perStream, picks]) => {
    const states = new Map<string, MediaState>();
    const queues = mediaIds.map((mediaId, index) => {
      const { steps, state } = runCommands(mediaDecider, perStream[index]!);
      states.set(mediaId, state);
      return steps.flatMap((step) => step.events.map((event) => ({ mediaId, event, at: step.command.now })));
    });
    const merged: (typeof queues)[number] = [];
    for (const pick of picks) {
      const next = queues[pick]!.shift();
      if (next) merged.push(next);
    }
    for (const queue of queues) merged.push(...queue);
    const revisions = new Map<string, number>();
    const log = merged.map(({ mediaId, event, at }, index): RecordedEvent => {
      const streamId = streams.media(mediaId);
      const streamRevision = revisions.get(streamId) ?? 0;
      revisions.set(streamId, streamRevision + 1);
      return {
        eventId: `0190d000-0000-7000-8000-${index.toString(16).padStart(12, '0')}`,
        type: event.type,
        schemaVersion: currentVersion(event.type),
        data: event.data,
        metadata: { correlationId: 'media-projection', causationId: null, actorId: null, occurredAt: at },
        streamId,
        streamRevision,
        position: syntheticPosition(index),
        recordedAt: at,
      };
    });
    return { states, log };
  });

/** What the read model must hold for a stream in `state` whose last event happened at `updatedAt`. */
const expectedRecord = (state: MediaState, updatedAt: string | undefined): MediaRecord | null => {
  if (state.status === 'none') return null;
  const { mediaId, ownerId, purpose, status, filename, declaredType, declaredSize, originalKey, processed, targetId, requestedAt, uploadExpiresAt } = state;
  return {
    mediaId,
    ownerId,
    purpose,
    status,
    reason: state.rejection?.reason ?? null,
    message: state.rejection?.message ?? null,
    filename,
    declaredType,
    declaredSize,
    originalKey,
    processed,
    targetId,
    requestedAt,
    uploadExpiresAt,
    updatedAt: updatedAt!,
  };
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await setupMediaSchema(db.pool);
});
afterAll(() => db.drop());

const fresh = async () => {
  await db.pool.query('truncate media, projection_checkpoints');
  return createMediaProjection(db.pool);
};

const expectTheFold = async ({ states, log }: MediaLog) => {
  const reader = createMediaReader(db.pool);
  for (const [mediaId, state] of states) {
    const last = log.filter((event) => event.streamId === streams.media(mediaId)).at(-1);
    expect(await reader.byId(mediaId)).toEqual(expectedRecord(state, last?.metadata.occurredAt));
  }
};

const NUM_RUNS = 25;

describe('media projection', () => {
  it('for any interleaved media histories, in batches of any size, the read model holds what the decider folds each stream into', async () => {
    await fc.assert(
      fc.asyncProperty(anyMediaLog, fc.integer({ min: 1, max: 20 }), async (history, batchSize) => {
        const projection = await fresh();
        await applyEvents(projection, history.log, { batchSize });
        await expectTheFold(history);
        if (history.log.length > 0) expect(await projection.checkpoint(MEDIA)).toBe(history.log.at(-1)!.position);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('batches applied twice (a crash between the writes and the checkpoint) change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(anyMediaLog, fc.integer({ min: 1, max: 20 }), async (history, batchSize) => {
        const projection = await fresh();
        await applyEvents(projection, history.log, { batchSize });
        const once = await dumpTables(db.pool, MEDIA_TABLES);
        await db.pool.query('truncate projection_checkpoints');
        await applyEvents(projection, history.log, { batchSize: batchSize + 1 });
        expect(await dumpTables(db.pool, MEDIA_TABLES)).toEqual(once);
        await expectTheFold(history);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a batch whose transaction fails at any statement leaves nothing behind, and the restarted projector ends at the fold', async () => {
    await fc.assert(
      fc.asyncProperty(anyMediaLog, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 30 }), async (history, batchSize, failAt) => {
        await fresh();
        const crashing = createMediaProjection(poolFailingAt(db.pool, failAt));
        await applyEvents(crashing, history.log, { batchSize }).catch((error: unknown) => expect(error).toBeInstanceOf(InjectedFailure));
        await applyEvents(createMediaProjection(db.pool), history.log, { batchSize });
        await expectTheFold(history);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
