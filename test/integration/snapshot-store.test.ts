import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../events/event-store.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { createPostgresSnapshotStore } from '../../events/postgres/snapshots.js';
import type { SnapshotStore } from '../../events/snapshot-store.js';
import { createInMemoryEventStore } from '../support/in-memory-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { snapshotStoreContract } from './snapshot-store.contract.js';

// The snapshot port's contract on both stores, and what only PostgreSQL can show: the read is one
// statement, and a row that saveSnapshot did not write (edited, copied) is never trusted.

const withSnapshots = (store: EventStore): EventStore & { snapshots: SnapshotStore } => {
  if (!store.snapshots) throw new Error('the store offers no snapshots');
  return store as EventStore & { snapshots: SnapshotStore };
};

snapshotStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const store = await createPostgresEventStore(db.pool, { notify: false });
  return {
    store: withSnapshots(store),
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
});

snapshotStoreContract('in memory', async () => {
  const store = createInMemoryEventStore();
  return { store: withSnapshots(store), cleanup: () => store.close() };
});

describe('PostgreSQL snapshots', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool, { notify: false });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const givenSnapshotted = async (count: number, revision: number) => {
    const userId = uuidv7();
    const streamId = `user-${userId}`;
    await store.append(
      streamId,
      Array.from({ length: count }, (_, i) => ({
        eventId: uuidv7(),
        type: 'PrivacyChanged',
        data: { userId, private: i % 2 === 0 },
        metadata: { correlationId: uuidv7(), causationId: null, actorId: userId, occurredAt: '2025-03-01T12:00:00.000Z' },
      })),
      'no_stream',
    );
    const events = await store.readStream(streamId);
    await store.snapshots!.saveSnapshot(streamId, 'k.v1', { revision, position: events[revision]!.position, state: { private: revision % 2 === 0 } });
    return { streamId, events };
  };

  it('reads the snapshot and its tail in one statement', async () => {
    const { streamId, events } = await givenSnapshotted(20, 15);
    let queries = 0;
    const counting = new Proxy(db.pool, {
      get: (pool, name) =>
        name === 'query'
          ? (...args: unknown[]) => {
              queries++;
              return (pool.query as (...a: unknown[]) => unknown)(...args);
            }
          : Reflect.get(pool, name),
    }) as pg.Pool;

    const read = await createPostgresSnapshotStore(counting).readFromSnapshot(streamId, 'k.v1');
    expect(read.snapshot?.revision).toBe(15);
    expect(read.events).toEqual(events.slice(16));
    expect(queries).toBe(1);
  });

  it('ignores a row whose state was changed outside saveSnapshot, and reads the whole stream', async () => {
    const { streamId, events } = await givenSnapshotted(10, 6);
    await db.pool.query(`update stream_snapshots set state = '{"private": "yes"}' where stream_id = $1`, [streamId]);
    expect(await store.snapshots!.readFromSnapshot(streamId, 'k.v1')).toEqual({ snapshot: null, events });
  });

  it('ignores a row moved to another revision or copied to another stream', async () => {
    const moved = await givenSnapshotted(10, 3);
    await db.pool.query(`update stream_snapshots set revision = 8 where stream_id = $1`, [moved.streamId]);
    expect(await store.snapshots!.readFromSnapshot(moved.streamId, 'k.v1')).toEqual({ snapshot: null, events: moved.events });

    const source = await givenSnapshotted(10, 4);
    const target = await givenSnapshotted(10, 0);
    await db.pool.query(`delete from stream_snapshots where stream_id = $1`, [target.streamId]);
    await db.pool.query(
      `insert into stream_snapshots (stream_id, snapshot_key, revision, position, state, digest)
       select $2, snapshot_key, revision, position, state, digest from stream_snapshots where stream_id = $1`,
      [source.streamId, target.streamId],
    );
    expect(await store.snapshots!.readFromSnapshot(target.streamId, 'k.v1')).toEqual({ snapshot: null, events: target.events });
  });

  it('a save at the revision of a damaged row repairs it', async () => {
    const { streamId, events } = await givenSnapshotted(5, 4);
    await db.pool.query(`update stream_snapshots set digest = 'damaged' where stream_id = $1`, [streamId]);
    await store.snapshots!.saveSnapshot(streamId, 'k.v1', { revision: 4, position: events[4]!.position, state: { private: true } });
    expect((await store.snapshots!.readFromSnapshot(streamId, 'k.v1')).snapshot).toEqual({ revision: 4, position: events[4]!.position, state: { private: true } });
  });

  it('offers no snapshots when created with snapshots off', async () => {
    const plain = await createPostgresEventStore(db.pool, { notify: false, snapshots: false });
    expect(plain.snapshots).toBeUndefined();
    await plain.close();
  });
});
