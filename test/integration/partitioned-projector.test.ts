import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type EventStore, type NewEvent, type Position } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { ensureLeaseTables } from '../../projections/runtime/leases-postgres.js';
import { checkpointKeysOf } from '../../projections/runtime/partition.js';
import { startEntrypoint, type Running } from '../support/entrypoint.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Partitioned projectors (projections/runtime/leased-projector.ts) as the real entrypoint runs
// them: three `projector` processes share the six partitions of the profiles projection by lease
// while events are appended; one is killed (SIGKILL: no goodbye, its leases simply stop being
// renewed) in the middle. Within a bounded wait the survivors hold every partition, every
// partition's checkpoint and the projection's own reach the head, and the read model is, user by
// user, the fold of the log.

const PARTITIONS = 6;
const USERS = 40;
const ROUNDS = 30;
const UPDATES_PER_ROUND = 12;
const KILL_AFTER_ROUND = 10;

let db: TestDatabase;
let dir: string;
let store: EventStore;
const processes: Running[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  store = await createPostgresEventStore(db.pool);
  // So that the test can look at the leases before the first process has set them up.
  await ensureLeaseTables(db.pool);
  dir = await mkdtemp(join(tmpdir(), 'ig-partitions-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  for (const running of processes) running.child.kill('SIGTERM');
  await Promise.all(processes.map((running) => running.exited));
  await store.close();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const metadata = () => ({ correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: new Date().toISOString() });
const event = (type: string, data: unknown): NewEvent => ({ eventId: uuidv7(), type, data, metadata: metadata() });

interface Profile {
  username: string;
  displayName: string;
  bio: string;
}

/** The fold of the log: each user's registration, then every ProfileUpdated field in stream order. */
const fold = new Map<string, Profile>();

const register = async (index: number) => {
  const userId = uuidv7();
  const profile = { username: `user_${index}`, displayName: `User ${index}`, bio: '' };
  await store.append(streams.user(userId), [event('UserRegistered', { userId, username: profile.username, displayName: profile.displayName, registeredAt: new Date().toISOString() })], 'no_stream');
  fold.set(userId, profile);
};

const update = async (round: number, slot: number) => {
  const users = [...fold.keys()];
  const userId = users[(round * 7 + slot * 13) % users.length]!;
  const changes = slot % 3 === 0 ? { bio: `bio ${round}.${slot}` } : slot % 3 === 1 ? { displayName: `Name ${round}.${slot}` } : { displayName: `Both ${round}.${slot}`, bio: `both ${round}.${slot}` };
  await store.append(streams.user(userId), [event('ProfileUpdated', { userId, ...changes })], 'any');
  Object.assign(fold.get(userId)!, changes);
};

/** Partition leases held now (unexpired), by the pid in their owner's name (host:pid:random). */
const leaseHolders = async (): Promise<Map<number, number>> => {
  const { rows } = await db.pool.query<{ partition: number; owner: string }>(
    "select partition, owner from projection_leases where projection = 'profiles' and partitions = $1 and expires_at > now()",
    [PARTITIONS],
  );
  return new Map(rows.map((row) => [row.partition, Number(row.owner.split(':').at(-2))]));
};

const checkpoints = async (): Promise<Map<string, string>> => {
  const keys = ['profiles', ...checkpointKeysOf('profiles', PARTITIONS)];
  const { rows } = await db.pool.query<{ key: string; position: string }>('select key, position from projection_checkpoints where key = any($1::text[])', [keys]);
  return new Map(keys.map((key) => [key, rows.find((row) => row.key === key)?.position ?? '']));
};

const eventually = async (what: string, check: () => Promise<boolean>, timeoutMs: number, describe: () => Promise<unknown>) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms: ${JSON.stringify(await describe())}\n${processes.map((p) => p.output()).join('\n----\n').slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('partitioned projector processes', () => {
  it('three processes share the partitions; one killed mid-run, the survivors take its partitions over and the read model equals the fold', { timeout: 150_000 }, async () => {
    const env = {
      DATABASE_URL: db.url,
      PORT: '0',
      DATA_DIR: dir,
      JWT_SECRET: 'a-shared-secret-of-at-least-32-characters',
      ROLE: 'projector',
      PROJECTIONS: 'profiles',
      PROJECTOR_PARTITIONS: String(PARTITIONS),
      PROJECTOR_LEASE: '1s',
    };
    // The first alone: processes setting up a fresh database at once race on its tables (not what is tested here).
    processes.push(await startEntrypoint(dir, env));
    processes.push(...(await Promise.all([1, 2].map(() => startEntrypoint(dir, env)))));
    const pids = processes.map((running) => running.child.pid!);

    // Every process gets its fair share (two each) before the log starts.
    await eventually(
      'an even split',
      async () => {
        const holders = await leaseHolders();
        return holders.size === PARTITIONS && pids.every((pid) => [...holders.values()].filter((holder) => holder === pid).length === PARTITIONS / 3);
      },
      20_000,
      async () => [...(await leaseHolders())],
    );

    for (let index = 0; index < USERS; index++) await register(index);
    const victim = processes[1]!;
    let victimHeld = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: UPDATES_PER_ROUND }, (_, slot) => update(round, slot)));
      if (round === KILL_AFTER_ROUND) {
        victimHeld = [...(await leaseHolders()).values()].filter((holder) => holder === victim.child.pid).length;
        victim.child.kill('SIGKILL');
        await victim.exited;
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(victimHeld).toBeGreaterThan(0);
    // The last append's own position, not the visible head: that stops at the oldest transaction
    // still running on the server (pg_snapshot_xmin, any database's: other test files' too), so on
    // a busy server it can be behind appends already committed, and the checkpoints would reach it
    // before the projectors have seen the last rounds.
    const head: Position = await store.lastCommittedPosition();

    // Within a bounded wait: every partition held by a survivor, and every checkpoint at the head.
    const survivors = pids.filter((pid) => pid !== victim.child.pid);
    await eventually(
      'the survivors holding every partition',
      async () => {
        const holders = await leaseHolders();
        return holders.size === PARTITIONS && [...holders.values()].every((pid) => survivors.includes(pid));
      },
      15_000,
      async () => [...(await leaseHolders())],
    );
    await eventually('every checkpoint at the head', async () => [...(await checkpoints()).values()].every((position) => position >= head), 45_000, async () => ({ head, checkpoints: [...(await checkpoints())] }));

    // Each survivor says on /metrics what it holds: three partitions each now.
    const ownedOn = async (running: Running) => /projector_partitions_owned\{projection="profiles"\} (\d+)/.exec(await (await fetch(`${running.address}/metrics`)).text())?.[1];
    await eventually('an even split of the survivors, on /metrics', async () => (await Promise.all(processes.filter((p) => p !== victim).map(ownedOn))).every((owned) => owned === '3'), 15_000, async () => Promise.all(processes.filter((p) => p !== victim).map(ownedOn)));

    const { rows } = await db.pool.query<{ id: string; username: string; display_name: string; bio: string }>('select id::text, username, display_name, bio from users order by id');
    expect(rows.map((row) => [row.id, { username: row.username, displayName: row.display_name, bio: row.bio }])).toEqual(
      [...fold].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  });
});
