import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedReadModel } from '../../../projections/feed/index.js';
import type { GenerationStorage, OpenReadModel } from '../../../projections/runtime/read-model.js';
import { compareDumps } from '../../../replay/compare-dumps.js';
import { anyHistory, toRecordedEvents } from '../../support/history-arbitraries.js';
import { applyEvents } from '../../support/projection-harness.js';
import { feedSettings } from '../../support/settings.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

// The PostgreSQL feed built from the start of the log (mode 'build') appends the entries its pass
// has not written yet with COPY (feed-store-postgres.ts pushWhileBuilding), knowing which from the
// keys it wrote. For random histories, a build interrupted after some batches and resumed by
// another process (which knows none of the keys the first one wrote, and reads them back from
// the table), then finished, equals entry by entry the feed fed live in small batches.

const readModel = feedReadModel({ ...feedSettings({ celebrityThreshold: 3 }), redis: null });
const open = (db: TestDatabase, mode: GenerationStorage['mode']): OpenReadModel<unknown> =>
  readModel.open({ generation: 1, pool: db.pool, redisPrefix: '', elasticsearchPrefix: '', mode });
// What pushes an entry, or takes one out to be pushed again: posts, follows and their undoing, hashtag follows.
const PUSHING = ['follow', 'unfollow', 'approveRequest', 'block', 'unblock', 'followHashtag', 'unfollowHashtag', 'createPost', 'deletePost'] as const;

let live: TestDatabase;
let built: TestDatabase;
beforeAll(async () => {
  [live, built] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([live.drop(), built.drop()]);
});

describe('the PostgreSQL feed built from the start of the log', { timeout: 300_000 }, () => {
  it('equals the live feed when another process resumes the build from its checkpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyHistory({ maxUsers: 5, minIntents: 30, maxIntents: 90, kinds: PUSHING }),
        fc.integer({ min: 1, max: 10 }),
        // The batches the first process applies (fc.double would mostly draw 0 or 1).
        fc.integer({ min: 1, max: 40 }),
        async (history, buildBatch, batchesBefore) => {
          const log = toRecordedEvents(history);
          const liveModel = open(live, 'live');
          const building = open(built, 'build');
          const resumed = open(built, 'build');
          // Dropped whatever the outcome, so that a shrunk run starts from empty tables.
          try {
            await liveModel.projection.setup();
            await applyEvents(liveModel.projection, log, { batchSize: 3 });

            await building.projection.setup();
            await applyEvents(building.projection, log.slice(0, buildBatch * batchesBefore), { batchSize: buildBatch, replay: true });
            await resumed.projection.setup();
            await applyEvents(resumed.projection, log, { batchSize: buildBatch, replay: true });
            await resumed.finishBuild!();

            expect(compareDumps(await liveModel.dump(), await resumed.dump())).toEqual([]);
          } finally {
            await Promise.all([liveModel.drop(), resumed.drop()]);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
