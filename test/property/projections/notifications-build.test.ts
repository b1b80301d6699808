import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationsReadModel } from '../../../projections/notifications/index.js';
import type { GenerationStorage, OpenReadModel } from '../../../projections/runtime/read-model.js';
import { compareDumps } from '../../../replay/compare-dumps.js';
import { anyHistory, toRecordedEvents } from '../../support/history-arbitraries.js';
import { applyEvents, assertResumedBuildsEqual } from '../../support/projection-harness.js';
import { useLiveAndBuiltDatabases, type TestDatabase } from '../../support/test-database.js';

// A generation built from the start of the log (mode 'build') stores facts and sources per batch
// and derives every group, actor row and unread count once, at finishBuild (notifications-projection.ts).
// For random histories (blocks, deletions, account lifecycles and erasures included), built in
// batches up to the whole log, it equals entry by entry the read model fed live in small batches;
// and so it does when batches keep coming after finishBuild (a `verify` round, the handover),
// which derive as live ones do, and finishBuild runs again. And so it does when the build is
// interrupted and resumed by another process, which knows none of the keys the first one wrote
// (a build appends the rows it has not written yet with COPY: write-batch.ts appendNew).

const WINDOW_MS = 10 * 60_000;
const RETOUCHING = ['follow', 'unfollow', 'approveRequest', 'createPost', 'editCaption', 'deletePost', 'like', 'unlike', 'comment', 'deleteComment'] as const;
const readModel = notificationsReadModel({ windowMs: WINDOW_MS });
const open = (db: TestDatabase, mode: GenerationStorage['mode']): OpenReadModel<unknown> =>
  readModel.open({ generation: 1, pool: db.pool, redisPrefix: '', elasticsearchPrefix: '', mode });

const databases = useLiveAndBuiltDatabases();

describe('notifications built from the start of the log', { timeout: 300_000 }, () => {
  it('equals the live read model, however its batches are cut, and with batches after finishBuild', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyHistory({ maxUsers: 6, minIntents: 20, maxIntents: 80 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 20, max: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (history, liveBatch, buildBatch, finishedAt) => {
          const log = toRecordedEvents(history);
          const liveModel = open(databases.live, 'live');
          const building = open(databases.built, 'build');
          // Dropped whatever the outcome: a shrunk run must start from empty tables, or it fails
          // on what the failed run left and shrinks to a history that has nothing to do with it.
          try {
            await liveModel.projection.setup();
            await applyEvents(liveModel.projection, log, { batchSize: liveBatch });

            await building.projection.setup();
            const cut = Math.round(log.length * finishedAt);
            await applyEvents(building.projection, log.slice(0, cut), { batchSize: buildBatch, replay: true });
            await building.finishBuild!();
            await applyEvents(building.projection, log, { batchSize: buildBatch, replay: true });
            await building.finishBuild!();

            expect(compareDumps(await liveModel.dump(), await building.dump())).toEqual([]);
          } finally {
            await Promise.all([liveModel.drop(), building.drop()]);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('equals the live read model when another process resumes the build from its checkpoint', async () => {
    await assertResumedBuildsEqual(
      (mode) => open(databases.live, mode),
      (mode) => open(databases.built, mode),
      // What writes a source, post or comment again (an unlike, a deletion, a caption edit), and
      // small batches: a row's events fall on both sides of the resume.
      anyHistory({ maxUsers: 4, minIntents: 40, maxIntents: 100, kinds: RETOUCHING }),
    );
  });
});
