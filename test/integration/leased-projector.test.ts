import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { START, streams, type EventStore, type Position } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { ensureCheckpointTable, loadCheckpoint } from '../../projections/runtime/checkpoints-postgres.js';
import { startLeasedProjector, type LeasedProjector } from '../../projections/runtime/leased-projector.js';
import { applyInTransaction } from '../../projections/runtime/postgres-transaction.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { startProjector } from '../../projections/runtime/runner.js';
import { waitForCheckpoint } from '../../projections/runtime/wait-for-checkpoint.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Partition leases within one process (projections/runtime/leased-projector.ts), with a projection
// that records every event it is handed by plain insert, so that an event applied twice shows.
// A projection that ran whole goes on partitioned from where it was, a newcomer gets its share,
// and an owner that stops hands its partitions over: every event applied exactly once, since each
// partition is stopped (its batch stored) before its lease is let go. The projection's own
// checkpoint follows its partitions' (read-your-writes waits on it).

let db: TestDatabase;
let store: EventStore;
const groups: LeasedProjector[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  store = await createPostgresEventStore(db.pool);
  await ensureCheckpointTable(db.pool);
  await db.pool.query('create table applied (seq bigserial primary key, checkpoint_key text not null, event_id text not null)');
});
afterEach(async () => {
  await Promise.all(groups.splice(0).map((group) => group.stop()));
  await store.close();
  await db.drop();
});

/** The recorder over `pool`'s schema: its table, its checkpoints (a generation of its own in another schema). */
const recorderIn = (pool: () => pg.Pool): Projection => ({
  name: 'recorder',
  eventTypes: ['Liked'],
  setup: async () => undefined,
  apply: (batch, checkpointKey) =>
    applyInTransaction(pool(), checkpointKey, batch.position, async (client) => {
      for (const event of batch.events) await client.query('insert into applied (checkpoint_key, event_id) values ($1, $2)', [checkpointKey, event.eventId]);
    }),
  checkpoint: (checkpointKey) => loadCheckpoint(pool(), checkpointKey),
});
const recorder = recorderIn(() => db.pool);

const appendLikes = async (count: number): Promise<{ ids: string[]; position: Position }> => {
  const ids: string[] = [];
  let position = START;
  for (let i = 0; i < count; i++) {
    const [postId, userId, eventId] = [uuidv7(), uuidv7(), uuidv7()];
    const data = { postId, userId, postAuthorId: uuidv7(), likedAt: new Date().toISOString() };
    const metadata = { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: new Date().toISOString() };
    ({ position } = await store.append(streams.like(postId, userId), [{ eventId, type: 'Liked', data, metadata }], 'no_stream'));
    ids.push(eventId);
  }
  return { ids, position };
};

const leased = (owner: string) => {
  const group = startLeasedProjector(store, recorder, {
    pool: db.pool,
    partitions: 3,
    leaseMs: 600,
    owner,
    projector: { pollIntervalMs: 20, retry: { initialDelayMs: 1, maxDelayMs: 20 }, onError: () => undefined },
    onError: () => undefined,
  });
  groups.push(group);
  return group;
};

const until = async (what: string, check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} never happened`);
};

/** Every event id applied, with how many times. */
const appliedCounts = async (pool = db.pool) =>
  new Map((await pool.query<{ event_id: string; n: string }>('select event_id, count(*) as n from applied group by event_id')).rows.map((row) => [row.event_id, Number(row.n)]));

describe('leased partitions in one process', () => {
  it('continue a projection that ran whole, share with a newcomer, hand over on stop: every event exactly once', async () => {
    const first = await appendLikes(20);
    const whole = startProjector(store, recorder, { pollIntervalMs: 20 });
    expect(await waitForCheckpoint(recorder, ['recorder'], first.position, 10_000)).toBe(true);
    await whole.stop();

    const a = leased('owner-a');
    await until('a holding every partition', () => a.owned().length === 3);
    const second = await appendLikes(20);
    // The projection's own checkpoint is rolled up from the partitions'.
    expect(await waitForCheckpoint(recorder, ['recorder'], second.position, 10_000)).toBe(true);

    const b = leased('owner-b');
    await until('a split of two and one', () => a.owned().length + b.owned().length === 3 && b.owned().length >= 1 && a.owned().length >= 1);
    const third = await appendLikes(20);
    expect(await waitForCheckpoint(recorder, ['recorder'], third.position, 10_000)).toBe(true);

    await a.stop();
    await until('b holding every partition', () => b.owned().length === 3);
    const fourth = await appendLikes(20);
    expect(await waitForCheckpoint(recorder, ['recorder'], fourth.position, 10_000)).toBe(true);

    const counts = await appliedCounts();
    const every = [...first.ids, ...second.ids, ...third.ids, ...fourth.ids];
    expect([...counts.keys()].sort()).toEqual([...every].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // After the whole run, only partitions applied events.
    const keys = (await db.pool.query<{ key: string }>("select distinct checkpoint_key as key from applied where checkpoint_key <> 'recorder'")).rows.map((row) => row.key);
    expect(keys.every((key) => /^recorder#[0-2]\/3$/.test(key))).toBe(true);
  });

  it('on a generation switch the partitions held move to the new generation, which goes on from the checkpoint it was built to', async () => {
    const next = await createTestDatabase();
    try {
      await ensureCheckpointTable(next.pool);
      await next.pool.query('create table applied (seq bigserial primary key, checkpoint_key text not null, event_id text not null)');
      const generation2 = recorderIn(() => next.pool);
      // Generation 2 built whole up to here, as the replay CLI builds one.
      const built = await appendLikes(15);
      const builder = startProjector(store, generation2, { pollIntervalMs: 20 });
      expect(await waitForCheckpoint(generation2, ['recorder'], built.position, 10_000)).toBe(true);
      await builder.stop();

      const group = leased('owner-switch');
      await until('every partition held', () => group.owned().length === 3);
      const before = await appendLikes(10);
      expect(await waitForCheckpoint(recorder, ['recorder'], before.position, 10_000)).toBe(true);
      group.switchTo(generation2);
      const after = await appendLikes(10);
      expect(await waitForCheckpoint(generation2, ['recorder'], after.position, 10_000)).toBe(true);
      expect(group.owned()).toEqual([0, 1, 2]);

      // Generation 2 holds every event once: those it was built with, then the ones the partitions applied to it.
      const counts = await appliedCounts(next.pool);
      expect([...counts.keys()].sort()).toEqual([...built.ids, ...before.ids, ...after.ids].sort());
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      await group.stop();
    } finally {
      await next.drop();
    }
  });

  it('a partition lease nobody renews is taken over after it expires', async () => {
    // An owner that died holding partition 1: its lease row stays, unrenewed.
    const dead = leased('owner-dead');
    await until('the dead owner holding every partition', () => dead.owned().length === 3);
    await db.pool.query("update projection_leases set owner = 'gone' where partition = 1");
    // Its renewal no longer returns partition 1: stopped here at once; once the lease expires, anyone may claim it.
    await until('partition 1 stopped here', () => !dead.owned().includes(1));
    await until('partition 1 claimed back after expiry', () => dead.owned().includes(1));
    const { ids, position } = await appendLikes(10);
    expect(await waitForCheckpoint(recorder, ['recorder'], position, 10_000)).toBe(true);
    expect([...(await appliedCounts()).keys()].sort()).toEqual([...ids].sort());
  });

  it('an owner that cannot renew stops its partitions before its leases expire (fencing by expiry)', async () => {
    const leasePool = new pg.Pool({ connectionString: db.url, max: 2 });
    const cut = startLeasedProjector(store, recorder, { pool: leasePool, partitions: 3, leaseMs: 2_400, owner: 'owner-cut', onError: () => undefined, projector: { pollIntervalMs: 20 } });
    groups.push(cut);
    await until('every partition held', () => cut.owned().length === 3);
    // The database away, for the lease loop only: no renewal succeeds from now on.
    await leasePool.end();
    await until('every partition stopped here', () => cut.owned().length === 0 && cut.projectors().length === 0);
    // Stopped while its leases were still unexpired in the database (a sixth of the lease, 400 ms, before): nobody else could have started them yet.
    const { rows } = await db.pool.query<{ live: boolean }>("select expires_at > now() as live from projection_leases where owner = 'owner-cut'");
    expect(rows.length).toBe(3);
    expect(rows.some((row) => row.live)).toBe(true);
  });
});
