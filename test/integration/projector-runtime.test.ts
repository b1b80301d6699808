import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { START, asPosition, streams, type EventStore, type EventType, type NewEvent, type Position } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { ensureCheckpointTable, loadCheckpoint, saveCheckpoint } from '../../projections/runtime/checkpoints-postgres.js';
import { lagBetween } from '../../projections/runtime/lag.js';
import { checkpointKeysOf, partitionOf } from '../../projections/runtime/partition.js';
import { applyInTransaction } from '../../projections/runtime/postgres-transaction.js';
import type { Projection, ProjectionBatch } from '../../projections/runtime/projection.js';
import { startProjector, type ProjectorHandle, type ProjectorOptions } from '../../projections/runtime/runner.js';
import { waitForCheckpoint } from '../../projections/runtime/wait-for-checkpoint.js';
import { createParkingLot, retryParked } from '../../projections/runtime/parked-events.js';
import { isTransientBackendError } from '../../app/http/backend-errors.js';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The projector runtime against the real PostgreSQL event store: catch-up then live, graceful
// stop, crash and resume, partitioned instances, the replay flag, lag and read-your-writes. The
// projection under test records every event it is handed, with plain inserts (no de-duplication),
// so that an event delivered twice or to two instances shows up as two rows.

let db: TestDatabase;
let store: EventStore;
const running: ProjectorHandle[] = [];

// Each test gets a log of its own (a schema of its own), so that it sees only its own events.
beforeEach(async () => {
  db = await createTestDatabase();
  store = await createPostgresEventStore(db.pool);
  await ensureCheckpointTable(db.pool);
  await db.pool.query(`create table applied (
    seq bigserial primary key, projection text not null, checkpoint_key text not null,
    event_id text not null, stream_id text not null, replay boolean not null)`);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((projector) => projector.stop()));
  await store.close();
  await db.drop();
});

let projections = 0;
/** A fresh projection name per test: its checkpoints and rows are its own. */
const freshName = () => `recorder_${++projections}`;

interface RecorderHooks {
  /** Runs inside the batch's transaction after its rows are inserted: throw to crash mid-batch. */
  afterInsert?: (batch: ProjectionBatch) => Promise<void> | void;
}

const recorder = (name: string, eventTypes: readonly EventType[], hooks: RecorderHooks = {}): Projection => ({
  name,
  eventTypes,
  setup: async () => undefined,
  apply: (batch, checkpointKey) =>
    applyInTransaction(db.pool, checkpointKey, batch.position, async (client) => {
      for (const event of batch.events) {
        await client.query('insert into applied (projection, checkpoint_key, event_id, stream_id, replay) values ($1, $2, $3, $4, $5)', [
          name,
          checkpointKey,
          event.eventId,
          event.streamId,
          batch.replay,
        ]);
      }
      await hooks.afterInsert?.(batch);
    }),
  checkpoint: (checkpointKey) => loadCheckpoint(db.pool, checkpointKey),
});

const start = (projection: Projection, options: ProjectorOptions = {}) => {
  const projector = startProjector(store, projection, { pollIntervalMs: 20, retry: { initialDelayMs: 1, maxDelayMs: 20 }, onError: () => undefined, ...options });
  running.push(projector);
  return projector;
};

const now = () => new Date().toISOString();
const metadata = () => ({ correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: now() });

/**
 * Appends `count` likes, each on a stream of its own, then `bookmarks` bookmarks. Returns the
 * like event ids in log order and the position of the last append.
 */
const appendLikes = async (count: number, bookmarks = 0): Promise<{ ids: string[]; position: Position }> => {
  const ids: string[] = [];
  let position = START;
  for (let i = 0; i < count + bookmarks; i++) {
    const postId = uuidv7();
    const userId = uuidv7();
    const eventId = uuidv7();
    const event: NewEvent =
      i < count
        ? { eventId, type: 'Liked', data: { postId, userId, postAuthorId: uuidv7(), likedAt: now() }, metadata: metadata() }
        : { eventId, type: 'Bookmarked', data: { userId, postId, bookmarkedAt: now() }, metadata: metadata() };
    ({ position } = await store.append(i < count ? streams.like(postId, userId) : streams.bookmark(userId, postId), [event], 'no_stream'));
    if (i < count) ids.push(eventId);
  }
  return { ids, position };
};

const appliedRows = async (name: string) =>
  (
    await db.pool.query<{ checkpoint_key: string; event_id: string; stream_id: string; replay: boolean }>(
      'select checkpoint_key, event_id, stream_id, replay from applied where projection = $1 order by seq',
      [name],
    )
  ).rows;

// The position an append returned, not headPosition(): the head is the last event a reader may
// see, which transactions of other test files (same server) can hold back for a moment.
const caughtUp = async (projection: Projection, position: Position, keys: string[] = [projection.name]) => {
  expect(await waitForCheckpoint(projection, keys, position, 30_000)).toBe(true);
};

describe('projector runtime', () => {
  it('catches up with the log, then applies new appends live, each event once and in log order', async () => {
    const name = freshName();
    const projection = recorder(name, ['Liked']);
    const before = await appendLikes(7, 2);
    // A long poll interval: live events arrive through the store's append hints.
    const projector = start(projection, { batchSize: 3, pollIntervalMs: 60_000 });
    await caughtUp(projection, before.position);
    const live = await appendLikes(4, 1);
    await caughtUp(projection, live.position);

    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual([...before.ids, ...live.ids]);
    expect(projector.status()).toMatchObject({ name, checkpointKey: name, running: true });
  });

  it('moves the checkpoint past events of other types, up to the last of them', async () => {
    const name = freshName();
    const projection = recorder(name, ['Liked']);
    const { position } = await appendLikes(1, 5);
    start(projection, { batchSize: 2 });
    await caughtUp(projection, position);
    expect(await loadCheckpoint(db.pool, name)).toBe(position);
  });

  it('stops gracefully: the batch being applied is finished and stored, and no batch starts after it', async () => {
    const name = freshName();
    const steps: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: (batch: ProjectionBatch) => void;
    const applying = new Promise<ProjectionBatch>((resolve) => (started = resolve));
    const projection = recorder(name, ['Liked'], {
      afterInsert: async (batch) => {
        steps.push('apply started');
        started(batch);
        await gate;
        steps.push('apply finished');
      },
    });
    const { ids } = await appendLikes(6);
    const projector = start(projection, { batchSize: 2 });
    const batch = await applying;
    const stopped = projector.stop().then(() => steps.push('stopped'));
    steps.push('stop asked');
    release();
    await stopped;

    expect(steps).toEqual(['apply started', 'stop asked', 'apply finished', 'stopped']);
    expect(projector.status().running).toBe(false);
    // Exactly the batch that was being applied: finished and stored with its checkpoint.
    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual(batch.events.map((event) => event.eventId));
    expect(await loadCheckpoint(db.pool, name)).toBe(batch.position);
    expect(batch.events.length).toBeLessThan(ids.length);
  });

  it('after a crash mid-batch, retries the batch and ends with every event applied exactly once', async () => {
    const name = freshName();
    const errors: unknown[] = [];
    let crashes = 2;
    const projection = recorder(name, ['Liked'], {
      afterInsert: (batch) => {
        // The batch's rows are written but not committed when it throws.
        if (batch.events.length > 0 && crashes-- > 0) throw new Error('crash mid-batch');
      },
    });
    const { ids, position } = await appendLikes(5);
    start(projection, { batchSize: 2, onError: (error) => errors.push(error) });
    await caughtUp(projection, position);

    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual(ids);
    expect(errors.map((error) => (error as Error).message)).toEqual(['crash mid-batch', 'crash mid-batch']);
  });

  it('a projector that keeps failing reports it; a restarted one resumes from the checkpoint and ends equal', async () => {
    const name = freshName();
    const { ids, position } = await appendLikes(6);
    const poison = ids[3];
    const broken = recorder(name, ['Liked'], {
      afterInsert: (batch) => {
        if (batch.events.some((event) => event.eventId === poison)) throw new Error('cannot apply');
      },
    });
    const errors: unknown[] = [];
    const first = start(broken, { batchSize: 2, onError: (error) => errors.push(error) });
    await waitUntil(() => errors.length >= 3);
    expect(first.status()).toMatchObject({ running: true, lastError: 'cannot apply' });
    expect(first.status().failures).toBeGreaterThanOrEqual(3);
    expect(first.status().lag).toBeGreaterThan(0);
    await first.stop();
    // Only batches before the poisoned event were stored.
    const stored = (await appliedRows(name)).map((row) => row.event_id);
    expect(stored).toEqual(ids.slice(0, stored.length));
    expect(stored).not.toContain(poison);

    const healthy = recorder(name, ['Liked']);
    start(healthy, { batchSize: 2 });
    await caughtUp(healthy, position);
    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual(ids);
  });

  it('two partitioned instances apply every event exactly once between them, each to the instance its stream hashes to', async () => {
    const name = freshName();
    const projection = recorder(name, ['Liked']);
    const first = await appendLikes(40);
    const keys = checkpointKeysOf(name, 2);
    start(projection, { batchSize: 7, partition: { index: 0, count: 2 } });
    start(projection, { batchSize: 5, partition: { index: 1, count: 2 } });
    await caughtUp(projection, first.position, keys);
    const more = await appendLikes(10);
    await caughtUp(projection, more.position, keys);

    const rows = await appliedRows(name);
    expect(rows.map((row) => row.event_id).sort()).toEqual([...first.ids, ...more.ids].sort());
    for (const row of rows) expect(row.checkpoint_key).toBe(keys[partitionOf(row.stream_id, 2)]);
    expect(new Set(rows.map((row) => row.checkpoint_key))).toEqual(new Set(keys));
  });

  it('passes the replay flag to every batch', async () => {
    const live = recorder(freshName(), ['Liked']);
    const rebuilt = recorder(freshName(), ['Liked']);
    const { position } = await appendLikes(3);
    start(live);
    start(rebuilt, { replay: true });
    await caughtUp(live, position);
    await caughtUp(rebuilt, position);
    expect((await appliedRows(live.name)).map((row) => row.replay)).toEqual([false, false, false]);
    expect((await appliedRows(rebuilt.name)).map((row) => row.replay)).toEqual([true, true, true]);
  });

  it('shows a lag while a batch is held up, and a lag of 0 once caught up', async () => {
    const name = freshName();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const applying = new Promise<void>((resolve) => (started = resolve));
    const projection = recorder(name, ['Liked'], {
      afterInsert: async () => {
        started();
        await gate;
      },
    });
    const { position } = await appendLikes(5);
    const projector = start(projection, { batchSize: 2 });
    await applying;
    expect(projector.status().lag).toBeGreaterThan(0);
    release();
    await caughtUp(projection, position);
    // Drained reads see the head itself: the lag ends at 0.
    await waitUntil(() => projector.status().lag === 0);
    expect(projector.status().head).toBe(projector.status().checkpoint);
  });

  it('waitForCheckpoint answers false when the position is not reached in time, true once it is', async () => {
    const name = freshName();
    const projection = recorder(name, ['Liked']);
    const { position } = await appendLikes(2);
    expect(await waitForCheckpoint(projection, [name], position, 50)).toBe(false);
    // Reached while waiting: the projector starts after the wait does.
    const waiting = waitForCheckpoint(projection, [name], position, 30_000);
    start(projection);
    expect(await waiting).toBe(true);
    expect(await waitForCheckpoint(projection, [name], START, 0)).toBe(true);
  });
});

describe('checkpoints in PostgreSQL', () => {
  it('never move backwards, and start at START', async () => {
    expect(await loadCheckpoint(db.pool, 'nothing-yet')).toBe(START);
    const low = asPosition('0000000000000001:0000000000000005');
    const high = asPosition('0000000000000002:0000000000000003');
    await saveCheckpoint(db.pool, 'cp', high);
    await saveCheckpoint(db.pool, 'cp', low);
    expect(await loadCheckpoint(db.pool, 'cp')).toBe(high);
    const higher = asPosition('0000000000000002:000000000000000a');
    await saveCheckpoint(db.pool, 'cp', higher);
    expect(await loadCheckpoint(db.pool, 'cp')).toBe(higher);
  });
});

describe('lagBetween', () => {
  const at = (global: number, tx = 1): Position => asPosition(`${tx.toString(16).padStart(16, '0')}:${global.toString(16).padStart(16, '0')}`);
  it('is 0 when caught up or ahead, the difference of global positions for PostgreSQL tokens, at least 1 when behind', () => {
    expect(lagBetween(START, START)).toBe(0);
    expect(lagBetween(at(10), at(10))).toBe(0);
    expect(lagBetween(at(12), at(10))).toBe(0);
    expect(lagBetween(START, at(10))).toBe(10);
    expect(lagBetween(at(4), at(10, 2))).toBe(6);
    // A later transaction that took a lower number: behind, though the numbers say otherwise.
    expect(lagBetween(at(9, 1), at(7, 2))).toBe(1);
    expect(lagBetween(asPosition('a'), asPosition('b'))).toBe(1);
  });
});

describe('parked events', () => {
  it('parks an event that fails after the bounded retries, applies the later ones, and retry-parked re-applies it once fixed', async () => {
    const name = freshName();
    const lot = createParkingLot(db.pool);
    const { ids, position } = await appendLikes(6);
    const poison = ids[3];
    let fixed = false;
    const projection = recorder(name, ['Liked'], {
      afterInsert: (batch) => {
        if (!fixed && batch.events.some((event) => event.eventId === poison)) throw new Error('cannot apply');
      },
    });
    const projector = start(projection, { batchSize: 2, parking: { lot, afterAttempts: 3, isTransient: isTransientBackendError } });
    await caughtUp(projection, position);

    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual(ids.filter((id) => id !== poison));
    const parked = await lot.list(name);
    expect(parked.map((p) => ({ eventId: p.eventId, type: p.type, error: p.error, position: p.position }))).toEqual([
      { eventId: poison, type: 'Liked', error: 'cannot apply', position: parked[0]?.event.position },
    ]);
    expect(parked[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(projector.status()).toMatchObject({ parked: 1, failures: 0, lag: 0 });
    expect(await lot.counts()).toEqual(new Map([[name, 1]]));

    // Still broken: it stays parked.
    expect((await retryParked(lot, projection)).stillFailing.map((f) => f.eventId)).toEqual([poison]);
    fixed = true;
    expect(await retryParked(lot, projection)).toEqual({ retried: [poison], stillFailing: [] });
    expect(await lot.list(name)).toEqual([]);
    expect(new Set((await appliedRows(name)).map((row) => row.event_id))).toEqual(new Set(ids));
  });

  it('never parks a transient failure (a backend refusing connections): the batch is retried until it succeeds', async () => {
    const name = freshName();
    const lot = createParkingLot(db.pool);
    // The real error a client gets from a server that is not listening.
    const refused = await new pg.Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 }).connect().then(
      () => {
        throw new Error('expected a refused connection');
      },
      (error: unknown) => error,
    );
    expect(isTransientBackendError(refused)).toBe(true);
    let outages = 6;
    const projection = recorder(name, ['Liked'], {
      afterInsert: (batch) => {
        if (batch.events.length > 0 && outages-- > 0) throw refused;
      },
    });
    const { ids, position } = await appendLikes(4);
    const errors: unknown[] = [];
    const projector = start(projection, { batchSize: 2, onError: (error) => errors.push(error), parking: { lot, afterAttempts: 2, isTransient: isTransientBackendError } });
    await caughtUp(projection, position);
    expect((await appliedRows(name)).map((row) => row.event_id)).toEqual(ids);
    expect(errors).toHaveLength(6);
    expect(await lot.list(name)).toEqual([]);
    expect(projector.status().parked).toBe(0);
  });
});

/** Polls a condition (no timing is asserted: the test's own timeout is the bound). */
const waitUntil = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};
