import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START, type Position } from '../../events/index.js';
import type { OpenReadModel } from '../../projections/runtime/read-model.js';
import { epochKey, guardedByRedisEpoch } from '../../projections/runtime/redis-epoch.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { createTestRedis, isRedisReachable, type TestRedis } from '../support/test-redis.js';

// A Redis read model whose layout changed (ReadModelDefinition.layout, redis-epoch.ts): the new
// code finds no epoch under its layout's key, while the old layout's key holds the stored epoch.
// It must reset and rebuild the read model (saying the layout changed, not that Redis lost its
// data), report 'rebuilding' until caught up, and leave no old-layout epoch behind. A real loss
// under the new layout is still told as one.

const NAME = 'layout_probe';

/** A read model of one Redis key, its checkpoint in memory (the guard only needs apply, checkpoint and drop). */
const probe = (redis: TestRedis): OpenReadModel<null> & { dropped: number } => {
  let checkpoint: Position = START;
  const model = {
    dropped: 0,
    reader: null,
    projection: {
      name: NAME,
      eventTypes: [],
      setup: async () => undefined,
      apply: async (batch: { position: Position }) => {
        await redis.client.set(`${redis.prefix}data`, 'held');
        checkpoint = batch.position;
      },
      checkpoint: async () => checkpoint,
    },
    dump: async () => new Map(),
    drop: async () => {
      model.dropped += 1;
      await redis.client.del(`${redis.prefix}data`);
      checkpoint = START;
    },
  };
  return model;
};

const at = (n: number) => n.toString(16).padStart(33, '0') as Position;

describe.skipIf(!(await isRedisReachable()))('the Redis epoch guard and a layout change', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  beforeAll(async () => {
    [db, redis] = [await createTestDatabase(), await createTestRedis()];
  });
  afterAll(async () => {
    await redis?.drop();
    await db?.drop();
  });

  it('rebuilds a read model whose layout was raised, saying so, and serves it as rebuilding until caught up', async () => {
    const inner = probe(redis);
    const before = guardedByRedisEpoch(inner, { redis: redis.client, pool: db.pool, redisPrefix: redis.prefix, name: NAME, log: () => undefined });
    await before.projection.setup();
    await before.projection.apply({ events: [], position: at(5), replay: false }, NAME);
    expect(await before.projection.verify!(NAME)).toBe(false);
    const oldEpoch = await redis.client.get(epochKey(redis.prefix, NAME));
    expect(oldEpoch).not.toBeNull();

    const lines: string[] = [];
    const after = guardedByRedisEpoch(inner, { redis: redis.client, pool: db.pool, redisPrefix: redis.prefix, name: NAME, layout: 2, log: (line) => lines.push(line) });
    await after.projection.setup();
    expect(await after.health()).toBe('lost');
    expect(await after.projection.verify!(NAME)).toBe(true);
    expect(inner.dropped).toBe(1);
    expect(await redis.client.get(`${redis.prefix}data`)).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/LAYOUT CHANGED from 1 to 2/);
    expect(lines[0]).not.toMatch(/LOST ITS DATA/);
    // The new layout's epoch replaces the old one, which is gone.
    expect(await redis.client.get(epochKey(redis.prefix, NAME, 2))).not.toBeNull();
    expect(await redis.client.get(epochKey(redis.prefix, NAME))).toBeNull();

    expect(await after.health()).toBe('rebuilding');
    await after.projection.apply({ events: [], position: at(5), replay: false }, NAME);
    expect(await after.health()).toBe('ok');
    expect(await after.projection.verify!(NAME)).toBe(false);
  });

  it('still tells a Redis that lost its data under the new layout as a loss', async () => {
    const inner = probe(redis);
    const lines: string[] = [];
    const guarded = guardedByRedisEpoch(inner, { redis: redis.client, pool: db.pool, redisPrefix: redis.prefix, name: NAME, layout: 2, log: (line) => lines.push(line) });
    await guarded.projection.setup();
    await guarded.projection.apply({ events: [], position: at(9), replay: false }, NAME);
    expect(await guarded.projection.verify!(NAME)).toBe(false);
    await redis.client.del(epochKey(redis.prefix, NAME, 2), `${redis.prefix}data`);
    expect(await guarded.projection.verify!(NAME)).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/LOST ITS DATA/);
  });
});
