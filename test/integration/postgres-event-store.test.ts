import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { ConcurrencyError, type EventStore } from '../../events/event-store.js';
import { START } from '../../events/position.js';
import { createPostgresEventStore, InvalidPositionError, migrateEventStore } from '../../events/postgres/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { eventStoreContract } from './event-store.contract.js';

eventStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const store = await createPostgresEventStore(db.pool, { pollIntervalMs: 100 });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
});

const liked = (): NewEvent => ({
  eventId: uuidv7(),
  type: 'Liked',
  data: { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' },
  metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' },
});

/** Writes a row as an older version of the code would have, bypassing the adapter. */
const insertRawRow = (client: pg.Pool | pg.PoolClient, row: { streamId: string; revision: number; eventId: string; type: string; version: number; data: unknown }) =>
  client.query(
    `insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [row.streamId, row.revision, row.eventId, row.type, row.version, JSON.stringify(row.data), JSON.stringify(liked().metadata)],
  );

const waitFor = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('PostgreSQL event store', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool, { pollIntervalMs: 100 });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('reads a PostCreated stored at schema version 1 (imageUrl) as the current version (media) everywhere', async () => {
    const postId = uuidv7();
    const v1 = {
      postId,
      authorId: uuidv7(),
      caption: 'sunset #beach',
      hashtags: ['beach'],
      mentions: [],
      imageUrl: 'https://cdn.example/sunset.jpg',
      createdAt: '2021-06-01T18:00:00.000Z',
    };
    const head = await store.headPosition();
    await insertRawRow(db.pool, { streamId: `post-${postId}`, revision: 0, eventId: uuidv7(), type: 'PostCreated', version: 1, data: v1 });
    const { imageUrl: _imageUrl, ...unchanged } = v1;
    const expected = { type: 'PostCreated', schemaVersion: 3, data: { ...unchanged, media: [{ url: 'https://cdn.example/sunset.jpg', type: 'image' }] } };

    expect((await store.readStream(`post-${postId}`))[0]).toMatchObject(expected);
    const fromLog = await waitFor(
      () => store.readAll(head, 10, { streamPrefixes: [`post-${postId}`] }),
      (page) => page.events.length > 0,
    );
    expect(fromLog.events[0]).toMatchObject(expected);
    const abort = new AbortController();
    for await (const event of store.subscribe(head, { signal: abort.signal, filter: { streamPrefixes: [`post-${postId}`] } })) {
      expect(event).toMatchObject(expected);
      abort.abort();
    }
    // The stored row itself is never rewritten.
    const { rows } = await db.pool.query('select schema_version, data from events where stream_id = $1', [`post-${postId}`]);
    expect(rows[0]).toMatchObject({ schema_version: 1, data: v1 });
  });

  it('stores new events at the current schema version of their type', async () => {
    const stream = `post-${uuidv7()}`;
    await store.append(stream, [liked()], 'no_stream');
    const { rows } = await db.pool.query('select schema_version from events where stream_id = $1', [stream]);
    expect(rows).toEqual([{ schema_version: 1 }]);
  });

  it('does not skip an event that commits after a later one: a reader resuming from its position still gets it, first', async () => {
    const head = await store.headPosition();
    const prefix = `gap-${uuidv7()}-`;
    const slow = await db.pool.connect();
    try {
      // The slow writer takes its transaction id and a lower global position first...
      await slow.query('begin');
      const slowEvent = uuidv7();
      await insertRawRow(slow, { streamId: `${prefix}slow`, revision: 0, eventId: slowEvent, type: 'Liked', version: 1, data: liked().data });
      // ...then a fast append commits behind it, with a higher position.
      const fast = liked();
      await store.append(`${prefix}fast`, [fast], 'no_stream');

      const whileOpen = await store.readAll(head, 100, { streamPrefixes: [prefix] });
      expect(whileOpen.events).toEqual([]);

      await slow.query('commit');
      const resumed = await waitFor(
        () => store.readAll(whileOpen.position, 100, { streamPrefixes: [prefix] }),
        (page) => page.events.length >= 2,
      );
      expect(resumed.events.map((e) => e.eventId)).toEqual([slowEvent, fast.eventId]);
    } finally {
      await slow.query('rollback').catch(() => undefined);
      slow.release();
    }
  });

  it('counts an append committed behind a transaction still in flight as committed, though the head stays behind it', async () => {
    const slow = await db.pool.connect();
    try {
      await slow.query('begin');
      await insertRawRow(slow, { streamId: `inflight-${uuidv7()}`, revision: 0, eventId: uuidv7(), type: 'Liked', version: 1, data: liked().data });
      const fast = await store.append(`inflight-${uuidv7()}`, [liked()], 'no_stream');
      // The gap-free head cannot pass the open transaction; the committed position is already there.
      expect((await store.headPosition()) < fast.position).toBe(true);
      expect((await store.lastCommittedPosition()) >= fast.position).toBe(true);
    } finally {
      await slow.query('rollback').catch(() => undefined);
      slow.release();
    }
  });

  it('moves a filtered read that matched nothing past the rows it skipped, so checkpoints advance', async () => {
    const head = await store.headPosition();
    const written = await store.append(`skip-${uuidv7()}`, [liked(), liked()], 'no_stream');
    const page = await waitFor(
      () => store.readAll(head, 10, { types: ['StoryExpired'] }),
      (read) => read.position >= written.position,
    );
    expect(page.events).toEqual([]);
    expect(page.position >= written.position).toBe(true);
  });

  it('encodes positions as fixed-width (transaction id, global position) tokens and rejects foreign ones', async () => {
    const result = await store.append(`pos-${uuidv7()}`, [liked()], 'no_stream');
    expect(result.position).toMatch(/^[0-9a-f]{16}:[0-9a-f]{16}$/);
    await expect(store.readAll('12345' as typeof START, 1)).rejects.toBeInstanceOf(InvalidPositionError);
  });

  it('turns a reused event id into a ConcurrencyError (a retried append that already committed)', async () => {
    const event = liked();
    await store.append(`dup-${uuidv7()}`, [event], 'no_stream');
    await expect(store.append(`dup-${uuidv7()}`, [event], 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('sends concurrent appends together in one commit, each with its own outcome, as if sent alone', async () => {
    // One connection in flight at a time: every append that arrives meanwhile queues and leaves in
    // the next batch (append.ts createAppendBatcher).
    const batched = await createPostgresEventStore(db.pool, { notify: false, maxAppendsInFlight: 1 });
    try {
      const existing = `batch-existing-${uuidv7()}`;
      await batched.append(existing, [liked()], 'no_stream');
      const reused = liked();
      await batched.append(`batch-reused-${uuidv7()}`, [reused], 'no_stream');
      const fresh = Array.from({ length: 40 }, () => `batch-fresh-${uuidv7()}`);
      const twice = `batch-twice-${uuidv7()}`;
      const outcomes = await Promise.allSettled([
        ...fresh.map((stream) => batched.append(stream, [liked(), liked()], 'no_stream')),
        batched.append(existing, [liked()], 'no_stream'), // refused: the stream exists
        batched.append(existing, [liked()], 0), // the one right expectation
        batched.append(`batch-dup-${uuidv7()}`, [reused], 'no_stream'), // refused: a reused event id
        batched.append(twice, [liked()], 'no_stream'),
        batched.append(twice, [liked()], 'no_stream'), // refused: the first one of the two created it
      ]);
      const [freshOutcomes, [staleExisting, rightExisting, dup, twiceFirst, twiceSecond]] = [outcomes.slice(0, 40), outcomes.slice(40)];
      expect(freshOutcomes.every((o) => o.status === 'fulfilled' && o.value.nextRevision === 1)).toBe(true);
      expect(staleExisting).toMatchObject({ status: 'rejected', reason: { expected: 'no_stream', actual: 0 } });
      const reasonOf = (outcome: PromiseSettledResult<unknown> | undefined) => (outcome?.status === 'rejected' ? outcome.reason : undefined);
      expect(reasonOf(staleExisting)).toBeInstanceOf(ConcurrencyError);
      expect(rightExisting).toMatchObject({ status: 'fulfilled', value: { nextRevision: 1 } });
      expect(reasonOf(dup)).toBeInstanceOf(ConcurrencyError);
      expect(twiceFirst).toMatchObject({ status: 'fulfilled', value: { nextRevision: 0 } });
      expect(twiceSecond).toMatchObject({ status: 'rejected', reason: { actual: 0 } });
      // Each stream holds exactly what its accepted appends wrote, and several appends shared a commit.
      for (const stream of [...fresh, existing]) expect((await batched.readStream(stream)).map((e) => e.streamRevision)).toEqual([0, 1]);
      const positions = freshOutcomes.map((o) => (o.status === 'fulfilled' ? o.value.position : ''));
      expect(new Set(positions).size).toBe(40);
      const transactions = new Set(positions.map((position) => position.split(':')[0]));
      expect(transactions.size).toBeLessThan(40);
    } finally {
      await batched.close();
    }
  });

  it('sends the first append at once when nothing is in flight, and the rest of its turn together, not each alone', async () => {
    // Two statements allowed in flight (the default): the first append goes at once, and the others
    // made in the same turn share one statement and one commit, rather than the second taking the
    // other statement alone.
    const batched = await createPostgresEventStore(db.pool, { notify: false });
    try {
      const streams = Array.from({ length: 6 }, () => `turn-${uuidv7()}`);
      const results = await Promise.all(streams.map((stream) => batched.append(stream, [liked()], 'no_stream')));
      expect(results.map((r) => r.nextRevision)).toEqual(streams.map(() => 0));
      const transactionOf = (position: string) => position.split(':')[0];
      const [first, ...rest] = results.map((r) => transactionOf(r.position));
      expect(new Set(rest).size).toBe(1);
      expect(rest[0]).not.toBe(first);
      for (const stream of streams) expect((await batched.readStream(stream)).map((e) => e.streamRevision)).toEqual([0]);
    } finally {
      await batched.close();
    }
  });

  // event_store_append_batch (schema-v5-append-batch-as-set.sql.ts) called as append.ts calls it,
  // on one connection counting its function calls (track_functions), so that the test sees which
  // way the batch went: as one set (no per-append event_store_append) or append by append.
  interface BatchItem {
    streamId: string;
    expected: 'no_stream' | number;
    events: readonly NewEvent[];
    guards?: readonly { streamId: string; revision: number }[];
  }
  const appendBatch = async (items: readonly BatchItem[]) => {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local track_functions = 'pl'`);
      const { rows } = await client.query<{ item: number; item_next_revision: string | null; item_global_position: string | null; item_error_code: string | null }>(
        `select item, item_next_revision, item_global_position, item_error_code from event_store_append_batch($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::uuid[],
          $6::text[], $7::integer[], $8::jsonb[], $9::jsonb[], $10::integer[], $11::text[], $12::bigint[])`,
        [
          items.map((i) => i.streamId),
          items.map((i) => (i.expected === 'no_stream' ? 'no_stream' : 'revision')),
          items.map((i) => (i.expected === 'no_stream' ? null : i.expected)),
          items.map((i) => i.events.length),
          items.flatMap((i) => i.events.map((e) => e.eventId)),
          items.flatMap((i) => i.events.map((e) => e.type)),
          items.flatMap((i) => i.events.map(() => 1)),
          items.flatMap((i) => i.events.map((e) => JSON.stringify(e.data))),
          items.flatMap((i) => i.events.map((e) => JSON.stringify(e.metadata))),
          items.map((i) => i.guards?.length ?? 0),
          items.flatMap((i) => (i.guards ?? []).map((g) => g.streamId)),
          items.flatMap((i) => (i.guards ?? []).map((g) => g.revision)),
        ],
      );
      const { rows: calls } = await client.query<{ calls: string }>(`select coalesce(sum(calls), 0) as calls from pg_stat_xact_user_functions where funcname = 'event_store_append'`);
      await client.query('commit');
      return { rows: rows.sort((a, b) => a.item - b.item), perAppendCalls: Number(calls[0]!.calls) };
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  };

  it('stores texts as they were given, quotes, backslashes, commas, brackets and non-ASCII included, alone and batched', async () => {
    // The events' data and metadata travel as one JSON array each (events/postgres/append.ts): a
    // text that broke the join, the escaping or the order would come back changed or elsewhere.
    const tricky = (i: number) => `${i}: "quoted", back\\slash \\", [a,b] {c:d} }],[{ \n tab\t é ü 😀 \u2028 \\u0000 '"'`;
    const postCreated = (i: number): NewEvent => {
      const postId = uuidv7();
      return {
        eventId: uuidv7(),
        type: 'PostCreated',
        data: { postId, authorId: uuidv7(), caption: tricky(i), hashtags: [], mentions: [], media: [{ url: `https://example.com/${tricky(i)}`, type: 'image' }], createdAt: '2025-03-01T12:00:00.000Z' },
        metadata: { correlationId: tricky(-i), causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' },
      };
    };
    const alone = postCreated(0);
    await store.append(`texts-${alone.eventId}`, [alone], 'no_stream');
    // Concurrent, so that all but the first go together in one batch.
    const batched = Array.from({ length: 6 }, (_, i) => [postCreated(i + 1), postCreated(i + 100)]);
    await Promise.all(batched.map((events) => store.append(`texts-${events[0]!.eventId}`, events, 'no_stream')));
    for (const events of [[alone], ...batched]) {
      const read = await store.readStream(`texts-${events[0]!.eventId}`);
      expect(read.map((e) => ({ eventId: e.eventId, data: e.data, metadata: e.metadata }))).toEqual(events.map((e) => ({ eventId: e.eventId, data: e.data, metadata: e.metadata })));
    }
  });

  it('appends a batch whose appends all go through as one set, with the same outcome as each alone', async () => {
    const existing = `set-existing-${uuidv7()}`;
    const guarded = `set-account-${uuidv7()}`;
    await store.append(existing, [liked()], 'no_stream');
    await store.append(guarded, [liked(), liked()], 'no_stream');
    const fresh = Array.from({ length: 5 }, () => `set-fresh-${uuidv7()}`).sort();
    const items = [
      ...fresh.map((streamId, i) => ({ streamId, expected: 'no_stream' as const, events: Array.from({ length: 1 + (i % 3) }, liked), guards: [{ streamId: guarded, revision: 1 }] })),
      { streamId: existing, expected: 0, events: [liked(), liked()] },
    ];
    const { rows, perAppendCalls } = await appendBatch(items);
    expect(perAppendCalls).toBe(0);
    expect(rows.map((r) => [r.item_error_code, Number(r.item_next_revision)])).toEqual(items.map((i) => [null, (i.expected === 'no_stream' ? -1 : i.expected) + i.events.length]));
    for (const [index, item] of items.entries()) {
      const read = await store.readStream(item.streamId);
      const appended = read.slice(item.expected === 'no_stream' ? 0 : item.expected + 1);
      // Each append's events in its order, at the revisions after the one it expected, answered with its last one's position.
      expect(appended.map((e) => e.eventId)).toEqual(item.events.map((e) => e.eventId));
      expect(read.map((e) => e.streamRevision)).toEqual(read.map((_, revision) => revision));
      expect(appended.at(-1)!.position.endsWith(BigInt(rows[index]!.item_global_position!).toString(16).padStart(16, '0'))).toBe(true);
    }
    // The events were inserted in the batch's order.
    const all = (await Promise.all(items.map((i) => store.readStream(i.streamId)))).flat().filter((e) => items.some((i) => i.events.some((n) => n.eventId === e.eventId)));
    const byBatchOrder = items.flatMap((i) => i.events.map((e) => e.eventId));
    expect([...all].sort((a, b) => (a.position < b.position ? -1 : 1)).map((e) => e.eventId)).toEqual(byBatchOrder);
  });

  it('answers each of two appends to one stream in one set with the position of its own last event', async () => {
    const streamId = `set-twice-${uuidv7()}`;
    const items: BatchItem[] = [
      { streamId, expected: 'no_stream', events: [liked(), liked()] },
      { streamId, expected: 1, events: [liked()] },
    ];
    const { rows, perAppendCalls } = await appendBatch(items);
    expect(perAppendCalls).toBe(0);
    expect(rows.map((r) => [r.item_error_code, Number(r.item_next_revision)])).toEqual([[null, 1], [null, 2]]);
    const read = await store.readStream(streamId);
    const positionOf = (revision: number) => read[revision]!.position;
    const answered = rows.map((r) => BigInt(r.item_global_position!).toString(16).padStart(16, '0'));
    expect(positionOf(1).endsWith(answered[0]!)).toBe(true);
    expect(positionOf(2).endsWith(answered[1]!)).toBe(true);
  });

  it('runs a batch append by append when one of it is refused, and only that one is refused', async () => {
    const existing = `set-existing-${uuidv7()}`;
    const guarded = `set-account-${uuidv7()}`;
    await store.append(existing, [liked()], 'no_stream');
    await store.append(guarded, [liked()], 'no_stream');
    const [good, behindGuard] = [`set-good-${uuidv7()}`, `set-behind-${uuidv7()}`];
    const refusals: [BatchItem, string][] = [
      [{ streamId: existing, expected: 1, events: [liked()] }, 'ES409'],
      [{ streamId: existing, expected: 'no_stream', events: [liked()] }, 'ES409'],
      [{ streamId: behindGuard, expected: 'no_stream', events: [liked()], guards: [{ streamId: guarded, revision: 5 }] }, 'ES412'],
    ];
    for (const [refused, expectedCode] of refusals) {
      const goodStream = `${good}-${expectedCode}-${uuidv7()}`;
      const { rows, perAppendCalls } = await appendBatch([{ streamId: goodStream, expected: 'no_stream', events: [liked()], guards: [{ streamId: guarded, revision: 0 }] }, refused]);
      expect(perAppendCalls).toBeGreaterThan(0); // event_store_append, once per append (and its inner overload)
      expect(rows.map((r) => r.item_error_code)).toEqual([null, expectedCode]);
      expect((await store.readStream(goodStream)).length).toBe(1);
    }
    expect(await store.readStream(behindGuard)).toEqual([]);
    expect((await store.readStream(existing)).length).toBe(1);
  });
});

describe('PostgreSQL event store schema', () => {
  it('has an empty head (START) on a new store, and migrates idempotently when many processes start at once', async () => {
    const db = await createTestDatabase();
    try {
      await Promise.all(Array.from({ length: 5 }, () => migrateEventStore(db.pool)));
      const stores = await Promise.all([createPostgresEventStore(db.pool), createPostgresEventStore(db.pool)]);
      expect(await stores[0].headPosition()).toBe(START);
      const written = await stores[0].append(`m-${uuidv7()}`, [liked()], 'no_stream');
      expect(await waitFor(() => stores[1].headPosition(), (head) => head === written.position)).toBe(written.position);
      const { rows } = await db.pool.query('select version from event_store_migrations order by version');
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await db.drop();
    }
  });

  it('wakes a subscription of another store instance through NOTIFY, long before its next poll', async () => {
    const db = await createTestDatabase();
    const appender = await createPostgresEventStore(db.pool);
    const listenerName = `listener-${uuidv7()}`;
    const subscriber = await createPostgresEventStore(db.pool, {
      pollIntervalMs: 10 * 60_000,
      listenerConfig: { ...db.pool.options, application_name: listenerName },
    });
    try {
      const abort = new AbortController();
      let received = 0;
      const consuming = (async () => {
        for await (const _event of subscriber.subscribe(START, { signal: abort.signal })) {
          received++;
          abort.abort();
        }
      })();
      // The subscription polls once in ten minutes, and its read on connecting is over once
      // the listener has run LISTEN: whatever reaches it after that came by NOTIFY. Appends
      // repeat (each one notifies) in case the first event was not yet readable when notified.
      await waitFor(
        async () => (await db.pool.query(`select 1 from pg_stat_activity where application_name = $1 and query ilike 'listen%' and state = 'idle'`, [listenerName])).rowCount,
        (count) => count === 1,
      );
      const deadline = Date.now() + 15_000;
      for (let revision = -1; received === 0 && Date.now() < deadline; revision++) {
        await appender.append('notified-1', [liked()], revision < 0 ? 'no_stream' : revision);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      abort.abort();
      await consuming;
      expect(received).toBe(1);
    } finally {
      await Promise.all([appender.close(), subscriber.close()]);
      await db.drop();
    }
  });

  it('with notifications off, subscriptions still get live events by polling', async () => {
    const db = await createTestDatabase();
    const quiet = await createPostgresEventStore(db.pool, { notify: false, pollIntervalMs: 50 });
    try {
      const abort = new AbortController();
      const received: RecordedEvent[] = [];
      const consuming = (async () => {
        for await (const event of quiet.subscribe(START, { signal: abort.signal })) {
          received.push(event);
          if (received.length === 2) abort.abort();
        }
      })();
      const events = [liked(), liked()];
      await quiet.append('quiet-1', [events[0]!], 'no_stream');
      await quiet.append('quiet-1', [events[1]!], 0);
      await consuming;
      expect(received.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    } finally {
      await quiet.close();
      await db.drop();
    }
  });
});
