import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadModelCatalog } from '../../../app/read-models.js';
import { START } from '../../../events/index.js';
import { createPostgresEventStore } from '../../../events/postgres/index.js';
import { catchUp } from '../../../projections/runtime/catch-up.js';
import { addGeneration, ensureGenerationsTable } from '../../../projections/runtime/generations.js';
import { compareDumps } from '../../../replay/compare-dumps.js';
import { anyHistory, appendHistory } from '../../support/history-arbitraries.js';
import { defaultSettings } from '../../support/settings.js';
import { createTestDatabase } from '../../support/test-database.js';
import { isRedisReachable, TEST_REDIS_URL } from '../../support/test-redis.js';

// The replay CLI's promise (issue 6): for random valid histories, every read model rebuilt from
// the log in one pass equals, entry by entry, the one built live, however the live one was fed:
// in batches of another size, with the log from some point on applied a second time (a crash
// between the writes and the checkpoint, or `rebuild --from`). Feeds and stories run in Redis when it answers, profiles and search in PostgreSQL.
// REPLAY_RUNS raises the modest default; REPLAY_SEED and REPLAY_PATH replay a reported counterexample.
const runs = Number(process.env.REPLAY_RUNS ?? 5);
const redisUp = await isRedisReachable();

describe('a rebuilt generation equals the live one', () => {
  let redis: Redis | null = null;
  beforeAll(() => {
    redis = redisUp ? new Redis(TEST_REDIS_URL) : null;
  });
  afterAll(() => redis?.disconnect());

  // Both feed stores: Redis (when it answers), and PostgreSQL, whose build shape differs most from its live one.
  const everyReadModel = (feedsIn: () => Redis | null) => async () => {
    const redis = feedsIn();
    await fc.assert(
      fc.asyncProperty(
        anyHistory({ maxUsers: 6, minIntents: 10, maxIntents: 60 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 5, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (history, liveBatch, rebuildBatch, replayFrom) => {
          const db = await createTestDatabase();
          const prefix = `${db.schema}:`;
          const store = await createPostgresEventStore(db.pool);
          const defaults = defaultSettings();
          const catalog = createReadModelCatalog({
            ...defaults,
            pool: db.pool,
            redis,
            elasticsearch: null,
            prefixes: { ...defaults.prefixes, redis: prefix },
            feed: { ...defaults.feed, celebrityThreshold: 3 },
          });
          try {
            await ensureGenerationsTable(db.pool);
            const last = await appendHistory(store, history);
            // The global log serves a transaction once every older one on the server has ended
            // (docs/architecture.md "Event store"): wait until it serves the whole history, or the live pass sees less.
            while (last && (await store.headPosition()) < last) await new Promise((r) => setTimeout(r, 20));
            const open = async (generation: number) => {
              const opened = await Promise.all(catalog.definitions.map((d) => catalog.open(d.name, generation, generation === 1 ? 'live' : 'build')));
              for (const o of opened) await o.projection.setup();
              return opened;
            };
            // Live: small batches; then the log re-applied from a point in the middle, as after a
            // crash before a checkpoint, or `rebuild --from <position>`, does.
            const live = await open(1);
            const targets = live.map((o) => ({ projection: o.projection, checkpointKey: o.projection.name }));
            await catchUp(store, targets, { batchSize: liveBatch, replay: false });
            const events = (await store.readAll(START, history.length + 10)).events;
            const from = events[Math.floor(events.length * replayFrom)]?.position ?? START;
            await catchUp(store, targets, { batchSize: liveBatch, replay: true, from });
            // Rebuilt: one pass, another batch size, into generation 2.
            for (const d of catalog.definitions) await addGeneration(db.pool, d.name, 'building', { batchSize: rebuildBatch, switch: false });
            const rebuilt = await open(2);
            await catchUp(store, rebuilt.map((o) => ({ projection: o.projection, checkpointKey: o.projection.name })), { batchSize: rebuildBatch, replay: true });
            for (const o of rebuilt) await o.finishBuild?.();
            for (let i = 0; i < live.length; i++) {
              const differences = compareDumps(await live[i]!.dump(), await rebuilt[i]!.dump());
              expect(differences, `${catalog.definitions[i]!.name} after ${history.length} events`).toEqual([]);
            }
          } finally {
            for (const d of catalog.definitions) await catalog.drop(d.name, 2).catch(() => undefined);
            if (redis) await catalog.drop('feed', 1).then(() => catalog.drop('stories', 1));
            await catalog.close();
            await store.close();
            await db.drop();
          }
        },
      ),
      { numRuns: runs, ...(process.env.REPLAY_SEED ? { seed: Number(process.env.REPLAY_SEED), path: process.env.REPLAY_PATH, endOnFailure: true } : {}) },
    );
  };
  // A few minutes each: a run takes seconds on a quiet machine, half a minute on a busy one.
  it('for random histories, every read model', everyReadModel(() => redis), 300_000);
  it('for random histories, every read model, feeds and stories in PostgreSQL', everyReadModel(() => null), 300_000);
});
