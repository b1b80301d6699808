import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPushBus, MAX_PAYLOAD_BYTES, packPayloads } from '../../projections/push/push-bus-postgres.js';
import { createRedisPushBus } from '../../projections/push/push-bus-redis.js';
import type { PushMessage } from '../../projections/push/push-bus.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { CLUSTER_SKIP_REASON, createTestRedis, createTestRedisCluster, isRedisClusterReachable, isRedisReachable } from '../support/test-redis.js';
import { pushBusContract } from './push-bus.contract.js';

const redisReachable = await isRedisReachable();

pushBusContract('PostgreSQL LISTEN/NOTIFY', async () => {
  const db = await createTestDatabase();
  return { createBus: () => createPostgresPushBus(db.pool), cleanup: () => db.drop() };
});

for (const sharded of [false, true]) {
  pushBusContract(
    `Redis ${sharded ? 'sharded ' : ''}pub/sub`,
    async () => {
      const redis = await createTestRedis();
      return { createBus: () => createRedisPushBus(redis.client, { prefix: redis.prefix, sharded }), cleanup: () => redis.drop() };
    },
    { skip: !redisReachable },
  );
}

// On a Redis Cluster the platform runs the bus sharded (SSUBSCRIBE through ioredis's sharded
// subscribers, one per primary; SPUBLISH to the channel's shard only), as here.
const clusterReachable = await isRedisClusterReachable();
pushBusContract(
  `Redis Cluster sharded pub/sub${clusterReachable ? '' : ` (${CLUSTER_SKIP_REASON})`}`,
  async () => {
    const redis = await createTestRedisCluster();
    return { createBus: () => createRedisPushBus(redis.client, { prefix: redis.prefix, sharded: true }), cleanup: () => redis.drop() };
  },
  { skip: !clusterReachable },
);

describe('PostgreSQL push payloads', () => {
  const message: PushMessage = { type: 'feed', postId: uuidv7(), authorId: uuidv7(), score: Date.now() };

  it('packs recipients into payloads under the NOTIFY limit, each recipient once', () => {
    const users = Array.from({ length: 1_000 }, () => uuidv7());
    const payloads = packPayloads(users, message);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) {
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(JSON.parse(payload).m).toEqual(message);
    }
    expect(payloads.flatMap((payload) => JSON.parse(payload).u as string[])).toEqual(users);
  });

  it('refuses a message that leaves no room for a recipient', () => {
    const big: PushMessage = { type: 'notification', notification: { text: 'x'.repeat(8_000) } };
    expect(() => packPayloads([uuidv7()], big)).toThrow(RangeError);
  });
});

describe('PostgreSQL push bus failures', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('drops a push it cannot send and reports it, without rejecting (the projection carries on)', async () => {
    const errors: unknown[] = [];
    const bus = createPostgresPushBus(db.pool, { onError: (error) => errors.push(error) });
    const big: PushMessage = { type: 'notification', notification: { text: 'x'.repeat(8_000) } };
    await expect(bus.publish([uuidv7()], big)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
    await bus.close();
  });

  it('refuses a subscription when the server cannot be reached', async () => {
    const bus = createPostgresPushBus(db.pool, { listenerConfig: { connectionString: 'postgres://postgres@127.0.0.1:1/test' } });
    await expect(bus.subscribe(uuidv7(), () => undefined)).rejects.toThrow();
    await bus.close();
  });
});

describe('Redis push bus failures', () => {
  it('refuses a subscription, and reports a push it cannot send, when Redis cannot be reached', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    unreachable.on('error', () => undefined);
    const errors: unknown[] = [];
    const bus = createRedisPushBus(unreachable, { prefix: 'unreachable:', onError: (error) => errors.push(error) });
    await expect(bus.subscribe(uuidv7(), () => undefined)).rejects.toThrow();
    await expect(bus.publish([uuidv7(), uuidv7()], { type: 'feed', postId: 'p', authorId: 'a', score: 1 })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    await bus.close();
    unreachable.disconnect();
  });
});
