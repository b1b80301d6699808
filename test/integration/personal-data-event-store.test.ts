import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventStore } from '../../events/event-store.js';
import { masterKeyOf, type PersonalDataKeyStore } from '../../events/personal-data/key-store.js';
import { createPostgresKeyStore } from '../../events/personal-data/key-store-postgres.js';
import { createPersonalDataEventStore } from '../../events/personal-data/personal-data-event-store.js';
import { ERASED_URL, personalEventTypes } from '../../events/personal-data/personal-fields.js';
import { sealStoredPersonalData } from '../../events/personal-data/seal-stored-postgres.js';
import { START, type Position } from '../../events/position.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { eventSchemas, type EventType } from '../../events/registry.js';
import { InvalidEventError } from '../../events/validate.js';
import { runReplayCli } from '../../replay/cli.js';
import { personalEventOf } from '../support/personal-data-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { eventStoreContract } from './event-store.contract.js';
import { snapshotStoreContract } from './snapshot-store.contract.js';

// The sealing EventStore (events/personal-data/personal-data-event-store.ts) over PostgreSQL: it
// is an EventStore like any other (the contracts), the log's rows hold no personal text, readers
// get it back in clear, and once a person's key is destroyed every read (stream, log,
// subscription, snapshot) gives that person's events erased and still valid, and everyone
// else's as before. Old rows in clear read as they are until the migration seals them.

/** How long a test waits for its commits to become readable in the log (logAfter). */
const LOG_WAIT_MS = 90_000;

const master = masterKeyOf('test-master-secret-of-at-least-32-bytes!');

const sealingStore = async (db: TestDatabase, onUnreadable?: (where: string) => void) => {
  const keys = await createPostgresKeyStore(db.pool, master);
  const store = createPersonalDataEventStore(await createPostgresEventStore(db.pool, { pollIntervalMs: 50 }), keys, onUnreadable ? { onUnreadable } : {});
  return { keys, store };
};

eventStoreContract('PostgreSQL, sealing personal data', async () => {
  const db = await createTestDatabase();
  const { store } = await sealingStore(db);
  return { store, cleanup: async () => (await store.close(), await db.drop()) };
});

snapshotStoreContract('PostgreSQL, sealing personal data', async () => {
  const db = await createTestDatabase();
  const { store } = await sealingStore(db);
  return { store: store as EventStore & { snapshots: NonNullable<EventStore['snapshots']> }, cleanup: async () => (await store.close(), await db.drop()) };
});

const streamOf = (event: NewEvent) => `${event.type.toLowerCase()}-${event.eventId}`;
const text = (value: unknown) => JSON.stringify(value);

describe('personal data sealed in the PostgreSQL event store', () => {
  let db: TestDatabase;
  let store: EventStore;
  let keys: PersonalDataKeyStore;
  const unreadable: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    ({ store, keys } = await sealingStore(db, (where) => unreadable.push(where)));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  /** One event of every personal type for a person, each under a stream of its own. */
  const appendAllFor = async (person: string, marker: string) => {
    const events = personalEventTypes.map((type) => personalEventOf(type, person, marker));
    for (const event of events) await store.append(streamOf(event), [event], 'no_stream');
    return events;
  };
  const rawRows = async (ids: readonly string[]) =>
    (await db.pool.query<{ data: unknown; metadata: unknown }>('select data, metadata from events where event_id = any($1::uuid[])', [ids])).rows;
  const readBack = async (events: readonly NewEvent[]) => (await Promise.all(events.map((e) => store.readStream(streamOf(e))))).flat();
  /**
   * The log after `from` once it holds `count` events: a commit is readable in the log once every
   * older transaction on the server has ended, and another test file's long transaction (a
   * property test's, under a loaded machine) can hold it back for many seconds. Waits up to
   * LOG_WAIT_MS (a flake at 40 s, on a machine loaded by other work), inside the tests' own timeout.
   */
  const logAfter = async (from: Position, count: number) => {
    for (let attempt = 0; ; attempt++) {
      const { events } = await store.readAll(from, 1000);
      if (events.length >= count || attempt * 50 >= LOG_WAIT_MS) return events;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('stores no personal text, and reads every event back exactly as appended', async () => {
    const person = uuidv7();
    const events = await appendAllFor(person, 'clearmarkone');
    const rows = await rawRows(events.map((e) => e.eventId));
    expect(rows).toHaveLength(events.length);
    expect(text(rows)).not.toContain('clearmarkone');
    expect(text(rows)).not.toContain('cdn.example.com');
    const read = await readBack(events);
    expect(read.map((e) => ({ eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata }))).toEqual(events);
    expect(text(read)).not.toContain('enc:v1:');
  });

  it('validates the clear text before sealing: a display name over the limit is refused, nothing appended', async () => {
    const event = personalEventOf('ProfileUpdated', uuidv7(), 'x');
    (event.data as { displayName: string }).displayName = 'n'.repeat(31);
    await expect(store.append(streamOf(event), [event], 'any')).rejects.toThrow(InvalidEventError);
    expect(await store.readStream(streamOf(event))).toEqual([]);
  });

  it('after a destroy, every read gives the person erased and valid, and others unchanged', async () => {
    const erased = uuidv7();
    const kept = uuidv7();
    const from = await store.headPosition();
    const erasedEvents = await appendAllFor(erased, 'gonemarker');
    const keptEvents = await appendAllFor(kept, 'keptmarker');
    const total = erasedEvents.length + keptEvents.length;
    const before = await logAfter(from, total);
    expect(await keys.destroy(erased)).toBe(true);

    const checkErased = (read: readonly RecordedEvent[]) => {
      const own = read.filter((e) => erasedEvents.some((x) => x.eventId === e.eventId));
      expect(own).toHaveLength(erasedEvents.length);
      expect(text(own)).not.toContain('gonemarker');
      expect(text(own)).not.toContain('cdn.example.com');
      expect(text(own)).not.toContain('bob');
      for (const e of own) expect(eventSchemas[e.type as EventType].schema.safeParse(e.data).success, e.type).toBe(true);
      const post = own.find((e) => e.type === 'PostCreated')!.data as { caption: string; media: { url?: string }[]; hashtags: string[] };
      expect(post).toMatchObject({ caption: '', hashtags: [] });
      expect(post.media[0]!.url).toBe(ERASED_URL);
      const others = read.filter((e) => keptEvents.some((x) => x.eventId === e.eventId));
      expect(others.map((e) => e.data)).toEqual(keptEvents.map((e) => e.data));
    };
    checkErased(await readBack([...erasedEvents, ...keptEvents]));
    const after = await logAfter(from, total);
    checkErased(after);
    expect(after.map((e) => e.position)).toEqual(before.map((e) => e.position));
    const subscribed: RecordedEvent[] = [];
    const controller = new AbortController();
    for await (const event of store.subscribe(from, { signal: controller.signal })) {
      subscribed.push(event);
      if (subscribed.length === total) controller.abort();
    }
    checkErased(subscribed);
    expect(unreadable).toEqual([]);
  }, 3 * LOG_WAIT_MS);

  it('a destroyed key also shreds the snapshots of the person’s streams; a later read folds the erased events', async () => {
    const person = uuidv7();
    const event = personalEventOf('UserRegistered', person, 'snapmarker');
    const streamId = `user-${person}`;
    await store.append(streamId, [event], 'no_stream');
    const snapshots = store.snapshots!;
    const read = await snapshots.readFromSnapshot(streamId, 'user.v1');
    await snapshots.saveSnapshot(streamId, 'user.v1', { revision: 0, position: read.events[0]!.position, state: { displayName: 'Ann snapmarker' } });
    const row = await db.pool.query('select state from stream_snapshots where stream_id = $1', [streamId]);
    expect(text(row.rows)).not.toContain('snapmarker');
    expect((await snapshots.readFromSnapshot(streamId, 'user.v1')).snapshot?.state).toEqual({ displayName: 'Ann snapmarker' });

    await keys.destroy(person);
    const shredded = await snapshots.readFromSnapshot(streamId, 'user.v1');
    expect(shredded.snapshot).toBeNull();
    expect(shredded.events).toHaveLength(1);
    expect((shredded.events[0]!.data as { displayName: string }).displayName).toBe('');
    // Saved again (as a command would after this read): not kept, since the person has no key any more (none is made for it).
    await snapshots.saveSnapshot(streamId, 'user.v1', { revision: 0, position: shredded.events[0]!.position, state: { displayName: '' } });
    expect((await snapshots.readFromSnapshot(streamId, 'user.v1')).snapshot).toBeNull();
    expect((await keys.keysOf([person])).size).toBe(0);
  });

  it('reads events sealed under a destroyed key as erased, quietly, once the person has a new key', async () => {
    const person = uuidv7();
    const before = personalEventOf('CommentAdded', person, 'rekeymark');
    await store.append(streamOf(before), [before], 'no_stream');
    await keys.destroy(person);
    const after = personalEventOf('CommentAdded', person, 'newkeymark');
    await store.append(streamOf(after), [after], 'no_stream');
    const reported = unreadable.length;
    const [old] = await store.readStream(streamOf(before));
    const [fresh] = await store.readStream(streamOf(after));
    expect(old!.data).toMatchObject({ text: '', mentions: [] });
    expect(fresh!.data).toEqual(after.data);
    expect(unreadable.length).toBe(reported);
  });

  it('skips saving a snapshot of a stream it has not read (its subject unknown), rather than keep it in clear', async () => {
    const person = uuidv7();
    const streamId = `user-${person}`;
    const other = (await sealingStore(db)).store;
    await other.append(streamId, [personalEventOf('UserRegistered', person, 'unreadmark')], 'no_stream');
    const position = (await other.readAll(START, 1, { streamPrefixes: [streamId] })).position;
    const fresh = (await sealingStore(db)).store;
    await fresh.snapshots!.saveSnapshot(streamId, 'user.v1', { revision: 0, position, state: { displayName: 'unreadmark' } });
    expect((await db.pool.query('select 1 from stream_snapshots where stream_id = $1', [streamId])).rowCount).toBe(0);
    await other.close();
    await fresh.close();
  });

  it('reads a damaged sealed event as erased and reports it, without failing the read', async () => {
    const person = uuidv7();
    const event = personalEventOf('CommentAdded', person, 'tampermark');
    await store.append(streamOf(event), [event], 'no_stream');
    await db.pool.query(
      `update events set metadata = jsonb_set(metadata, '{personalData,fields}', to_jsonb('enc:v1:' || translate(substr(metadata->'personalData'->>'fields', 8), 'ABCabc', 'BCAbca'))) where event_id = $1`,
      [event.eventId],
    );
    const [read] = await store.readStream(streamOf(event));
    expect(read!.data).toMatchObject({ text: '', mentions: [] });
    expect(unreadable.some((where) => where.includes(event.eventId))).toBe(true);
  });

  describe('events written in clear before sealing', () => {
    const writeClear = async (event: NewEvent, streamId = streamOf(event)) => {
      const plain = await createPostgresEventStore(db.pool, { notify: false });
      await plain.append(streamId, [event], 'any');
      await plain.close();
    };

    it('read as they are, and the migration seals them, idempotently and resumably, without changing how they read', async () => {
      const person = uuidv7();
      const events = personalEventTypes.map((type) => personalEventOf(type, person, 'oldmarker'));
      for (const event of events) await writeClear(event);
      // A v1 PostCreated, as written before carousels.
      const v1 = { eventId: uuidv7(), postId: uuidv7() };
      await db.pool.query('insert into streams (stream_id, revision) values ($1, 0)', [`post-${v1.postId}`]);
      await db.pool.query(
        `insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata) values ($1, 0, $2, 'PostCreated', 1, $3, $4)`,
        [
          `post-${v1.postId}`,
          v1.eventId,
          JSON.stringify({ postId: v1.postId, authorId: person, caption: 'old oldmarker', hashtags: [], mentions: [], imageUrl: 'https://cdn.example.com/oldmarker.jpg', createdAt: '2024-01-01T00:00:00.000Z' }),
          JSON.stringify({ correlationId: v1.eventId, causationId: null, actorId: null, occurredAt: '2024-01-01T00:00:00.000Z' }),
        ],
      );
      const clearRead = await readBack(events);
      expect(clearRead.map((e) => e.data)).toEqual(events.map((e) => e.data));
      const v1Read = await store.readStream(`post-${v1.postId}`);

      // Interrupted after the first batch, then resumed, then run again: each event sealed once.
      const interrupt = new AbortController();
      const first = await sealStoredPersonalData(db.pool, keys, { batchSize: 2, signal: interrupt.signal, onBatch: () => interrupt.abort() });
      expect(first).toMatchObject({ interrupted: true });
      const rest = await sealStoredPersonalData(db.pool, keys, { batchSize: 2 });
      expect(rest.interrupted).toBe(false);
      const again = await sealStoredPersonalData(db.pool, keys, { batchSize: 2 });
      expect(again.sealed).toBe(0);
      expect(first.sealed + rest.sealed).toBeGreaterThanOrEqual(events.length + 1);

      const ids = [...events.map((e) => e.eventId), v1.eventId];
      expect(text(await rawRows(ids))).not.toContain('oldmarker');
      expect((await readBack(events)).map((e) => e.data)).toEqual(events.map((e) => e.data));
      expect((await store.readStream(`post-${v1.postId}`)).map((e) => e.data)).toEqual(v1Read.map((e) => e.data));

      await keys.destroy(person);
      const erased = [...(await readBack(events)), ...(await store.readStream(`post-${v1.postId}`))];
      expect(text(erased)).not.toContain('oldmarker');
      for (const e of erased) expect(eventSchemas[e.type as EventType].schema.safeParse(e.data).success).toBe(true);
    });

    it('the migration deletes the snapshots that are not sealed, and keeps the sealed ones', async () => {
      const person = uuidv7();
      const clear = `user-${person}`;
      await writeClear(personalEventOf('UserRegistered', person, 'clearsnap'), clear);
      const plain = await createPostgresEventStore(db.pool, { notify: false });
      const [event] = await plain.readStream(clear);
      await plain.snapshots!.saveSnapshot(clear, 'user.v1', { revision: 0, position: event!.position, state: { displayName: 'clearsnap' } });
      await plain.close();
      const sealedStream = `user-${uuidv7()}`;
      await store.append(sealedStream, [personalEventOf('UserRegistered', sealedStream.slice(5), 'sealsnap')], 'no_stream');
      const read = await store.snapshots!.readFromSnapshot(sealedStream, 'user.v1');
      await store.snapshots!.saveSnapshot(sealedStream, 'user.v1', { revision: 0, position: read.events[0]!.position, state: { n: 1 } });

      await sealStoredPersonalData(db.pool, keys, { batchSize: 100 });
      const left = (await db.pool.query<{ stream_id: string }>('select stream_id from stream_snapshots where stream_id = any($1)', [[clear, sealedStream]])).rows;
      expect(left.map((r) => r.stream_id)).toEqual([sealedStream]);
    });

    it('is the replay command encrypt-personal-data', async () => {
      const person = uuidv7();
      const event = personalEventOf('CommentAdded', person, 'climarker');
      await writeClear(event);
      let stdout = '';
      const code = await runReplayCli(['encrypt-personal-data', '--batch-size', '50', '--json'], {
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        tty: false,
        signal: new AbortController().signal,
        connect: async () => ({ store, pool: db.pool, catalog: { definitions: [] } as never, personalDataKeys: keys, close: async () => undefined }),
      });
      expect(code).toBe(0);
      expect(stdout).toContain('"type":"result"');
      expect(text(await rawRows([event.eventId]))).not.toContain('climarker');
    });
  });
});
