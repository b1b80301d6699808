import type pg from 'pg';
import type { NewEvent } from '../envelope.js';
import { ConcurrencyError, type AppendResult, type ExpectedRevision, type StreamGuard } from '../event-store.js';
import { START } from '../position.js';
import { currentVersion, type EventType } from '../registry.js';
import { validateEvent } from '../validate.js';
import { logPositionOfRow } from './log-position.js';

// The events' data and metadata go as one JSON array each, taken apart by PostgreSQL into the
// jsonb[] the functions take: the texts are JSON already, so the array is their join, where a
// jsonb[] parameter made the client escape every quote and backslash of every event (pg's array
// literal) and PostgreSQL unescape them again (bench:http: ~800 characters a create-post).
// The same jsonb values either way (each element is parsed as jsonb, as an array element was).
const jsonbArrayOf = (parameter: string) =>
  `(select coalesce(array_agg(j.value order by j.n), '{}') from jsonb_array_elements(${parameter}::jsonb) with ordinality j(value, n))`;
/** Texts of JSON values, as the one JSON array jsonbArrayOf takes apart. */
const jsonArrayOf = (texts: readonly string[]): string => `[${texts.join(',')}]`;

// Named, so each connection parses and plans it once (prepared on first use): the hot statement
// of every command, where parsing was a measurable part of its cost (bench:http).
const APPEND = `select next_revision, last_transaction_id, last_global_position
  from event_store_append($1, $2, $3, $4::uuid[], $5::text[], $6::integer[], ${jsonbArrayOf('$7')}, ${jsonbArrayOf('$8')}, $9::text[], $10::bigint[])`;

const WRONG_EXPECTED_REVISION = 'ES409';
/** A guard's stream moved on (schema-v4-append-guards.sql.ts); detail `index:actual`. */
const GUARD_MOVED = 'ES412';
const UNIQUE_VIOLATION = '23505';
/** Two appends' guards and stream rows locked in opposite orders: PostgreSQL refused one; it may try again. */
const DEADLOCK_DETECTED = '40P01';

const noGuards: readonly StreamGuard[] = [];

interface AppendRow {
  next_revision: string;
  last_transaction_id: string | null;
  last_global_position: string | null;
}

/**
 * Validates, then appends in one round trip (see event_store_append in schema-v1.sql.ts).
 * An empty batch writes nothing and returns the stream's last revision and position (-1 and
 * START when the stream does not exist), after checking `expected` like any append.
 */
export const appendEvents = async (
  pool: pg.Pool,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  guards: readonly StreamGuard[] = noGuards,
): Promise<AppendResult> => {
  const data = events.map((event) => JSON.stringify(validateEvent(event)));
  return appendValidated(pool, streamId, events, data, expected, guards);
};

/** appendEvents once the events are validated and serialised (`data`, in order). */
const appendValidated = async (
  pool: pg.Pool,
  streamId: string,
  events: readonly NewEvent[],
  data: readonly string[],
  expected: ExpectedRevision,
  guards: readonly StreamGuard[],
): Promise<AppendResult> => {
  const [expectation, expectedRevision] = expectationParameters(expected);
  const values = [
    streamId,
    expectation,
    expectedRevision,
    events.map((e) => e.eventId),
    events.map((e) => e.type),
    events.map((e) => currentVersion(e.type as EventType)),
    jsonArrayOf(data),
    jsonArrayOf(events.map((e) => JSON.stringify(e.metadata))),
    guards.map((g) => g.streamId),
    guards.map((g) => g.revision),
  ];
  try {
    const { rows } = await pool.query<AppendRow>({ name: 'event_store_append_guarded_json', text: APPEND, values });
    return appendResult(rows[0]);
  } catch (error) {
    throw asConcurrencyError(error, streamId, expected, guards) ?? error;
  }
};

const expectationParameters = (expected: ExpectedRevision): [string, number | null] => {
  if (typeof expected !== 'number') return [expected, null];
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision must be a revision (0 or more), got ${expected}`);
  return ['revision', expected];
};

const appendResult = (row: AppendRow | undefined): AppendResult => {
  // No row: an empty batch on a stream that does not exist.
  if (!row?.last_transaction_id || !row.last_global_position) return { nextRevision: Number(row?.next_revision ?? -1), position: START };
  return {
    nextRevision: Number(row.next_revision),
    position: logPositionOfRow({ transaction_id: row.last_transaction_id, global_position: row.last_global_position }),
  };
};

/**
 * A wrong expectation, and also a unique violation: the stream row absorbs races between first
 * appends, so a violation left over means another append won (or an event id was reused by a
 * retry of an append that did commit); either way the caller must reload and decide again.
 */
const asConcurrencyError = (error: unknown, streamId: string, expected: ExpectedRevision, guards: readonly StreamGuard[]): ConcurrencyError | undefined => {
  const { code, detail } = (error ?? {}) as { code?: string; detail?: string };
  if (code === WRONG_EXPECTED_REVISION) return new ConcurrencyError(streamId, expected, actualRevision(Number(detail)));
  if (code === GUARD_MOVED) {
    const [index, actual] = (detail ?? '').split(':').map(Number);
    const guard = guards[(index ?? 0) - 1];
    if (guard) return new ConcurrencyError(guard.streamId, guard.revision, actualRevision(actual ?? NaN));
    return new ConcurrencyError(streamId, expected, 'unknown');
  }
  if (code === UNIQUE_VIOLATION || code === DEADLOCK_DETECTED) return new ConcurrencyError(streamId, expected, 'unknown');
  return undefined;
};

const actualRevision = (revision: number): number | 'no_stream' | 'unknown' => (revision === -1 ? 'no_stream' : Number.isSafeInteger(revision) ? revision : 'unknown');

// Appends that arrive while others are on their way to the database are sent together, in one
// statement and one commit (event_store_append_batch, schema-v3-append-batch.sql.ts): a commit
// waits for the WAL flush and holds a pooled connection meanwhile, so under concurrent writers
// commits, not statements, bounded the appends per second (bench:http). Group commit, done by
// the client: appends queue and leave, in statements of MAX_BATCH appends at most, while fewer
// than `maxInFlight` are in flight: at once when none is, else at the end of the event loop's
// turn (send, below); what is left waits for one to return. A lone append goes by itself
// (event_store_append: for one append cheaper than the batch function's subtransaction). Each
// append keeps its own outcome: its expectation is checked against its stream alone, and a
// refusal (a ConcurrencyError, or any error of its own) refuses it and nothing else. Two appends
// to one stream never share a batch (the later one waits for the next), and a batch is ordered
// by stream id so that concurrent batches lock stream rows in one order.

const APPEND_BATCH = `select item, item_next_revision, item_transaction_id, item_global_position, item_error_code, item_error_message, item_error_detail
  from event_store_append_batch($1::text[], $2::text[], $3::bigint[], $4::integer[], $5::uuid[], $6::text[], $7::integer[], ${jsonbArrayOf('$8')},
    ${jsonbArrayOf('$9')}, $10::integer[], $11::text[], $12::bigint[])`;

/** Under the 64 subtransactions a backend keeps track of cheaply (one per append of a batch). */
const MAX_BATCH = 32;

interface BatchRow {
  item: number;
  item_next_revision: string | null;
  item_transaction_id: string | null;
  item_global_position: string | null;
  item_error_code: string | null;
  item_error_message: string | null;
  item_error_detail: string | null;
}

interface Pending {
  streamId: string;
  events: readonly NewEvent[];
  data: string[];
  expected: ExpectedRevision;
  expectation: [string, number | null];
  guards: readonly StreamGuard[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export interface AppendBatcher {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, guards?: readonly StreamGuard[]): Promise<AppendResult>;
}

/** The error an append of a batch raised by itself, as appendEvents would have thrown it. */
const itemError = (row: BatchRow, { streamId, expected, guards }: Pending): Error => {
  const error = Object.assign(new Error(row.item_error_message ?? 'append failed'), { code: row.item_error_code, detail: row.item_error_detail ?? undefined });
  return asConcurrencyError(error, streamId, expected, guards) ?? error;
};

// Two statements in flight by default (fewer when the pool is smaller than four): PostgreSQL
// flushes the WAL for one commit at a time, so a third batch in flight only waits behind the
// second, and smaller batches cost PostgreSQL more per append (bench:http: at 50 writers, 2 in
// flight rather than 5 made its CPU per append about 0.7 of what it was, and the appends per
// second rose with it).
const DEFAULT_MAX_IN_FLIGHT = 2;

export const createAppendBatcher = (
  pool: pg.Pool,
  { maxInFlight = Math.max(1, Math.min(DEFAULT_MAX_IN_FLIGHT, Math.floor((pool.options.max ?? 10) / 2))) }: { maxInFlight?: number } = {},
): AppendBatcher => {
  let inFlight = 0;
  const queue: Pending[] = [];

  const sendBatch = async (batch: Pending[]) => {
    batch.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    const values = [
      batch.map((p) => p.streamId),
      batch.map((p) => p.expectation[0]),
      batch.map((p) => p.expectation[1]),
      batch.map((p) => p.events.length),
      batch.flatMap((p) => p.events.map((e) => e.eventId)),
      batch.flatMap((p) => p.events.map((e) => e.type)),
      batch.flatMap((p) => p.events.map((e) => currentVersion(e.type as EventType))),
      jsonArrayOf(batch.flatMap((p) => p.data)),
      jsonArrayOf(batch.flatMap((p) => p.events.map((e) => JSON.stringify(e.metadata)))),
      batch.map((p) => p.guards.length),
      batch.flatMap((p) => p.guards.map((g) => g.streamId)),
      batch.flatMap((p) => p.guards.map((g) => g.revision)),
    ];
    let rows: BatchRow[];
    try {
      ({ rows } = await pool.query<BatchRow>({ name: 'event_store_append_batch_guarded_json', text: APPEND_BATCH, values }));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, index) => {
      const row = rows.find((r) => r.item === index + 1);
      if (!row) return p.reject(new Error(`event_store_append_batch returned no row for ${p.streamId}`));
      if (row.item_error_code) return p.reject(itemError(row, p));
      p.resolve(appendResult({ next_revision: row.item_next_revision ?? '-1', last_transaction_id: row.item_transaction_id, last_global_position: row.item_global_position }));
    });
  };

  const sendOne = async (p: Pending) => {
    try {
      p.resolve(await appendValidated(pool, p.streamId, p.events, p.data, p.expected, p.guards));
    } catch (error) {
      p.reject(error);
    }
  };

  /** Takes the next batch off the queue: the oldest appends, one per stream, MAX_BATCH at most. */
  const nextBatch = (): Pending[] => {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < MAX_BATCH; ) {
      const p = queue[i]!;
      if (streams.has(p.streamId)) {
        i++;
        continue;
      }
      streams.add(p.streamId);
      batch.push(p);
      queue.splice(i, 1);
    }
    return batch;
  };

  const pump = () => {
    pumpScheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = nextBatch();
      inFlight++;
      void (batch.length === 1 ? sendOne(batch[0]!) : sendBatch(batch)).finally(() => {
        inFlight--;
        send();
      });
    }
  };
  // With nothing in flight the queue leaves at once: the database is idle, and waiting would only
  // delay it. With a statement in flight it leaves at the end of the event loop's turn
  // (setImmediate: after this poll's I/O callbacks), so that the appends of the requests read in
  // one turn go together: a second statement would wait behind the first's WAL flush anyway
  // (DEFAULT_MAX_IN_FLIGHT), and sent as each append came the first of them took it alone, a
  // commit for one append, while the rest waited for the next (bench:http: 34 % of the statements at 50 writers carried one append;
  // a commit for one costs PostgreSQL some 300 us of CPU, an append in a batch of 16 about 40).
  let pumpScheduled = false;
  const send = () => {
    if (inFlight === 0) return pump();
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(pump);
  };

  return {
    append(streamId, events, expected, guards = noGuards) {
      // Validated here, so that a bad event is refused to its caller before anything is queued.
      const data = events.map((event) => JSON.stringify(validateEvent(event)));
      const expectation = expectationParameters(expected);
      // An empty append writes nothing: it only reads, so it need not wait for a commit.
      if (events.length === 0) return appendValidated(pool, streamId, events, data, expected, guards);
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ streamId, events, data, expected, expectation, guards, resolve, reject });
        send();
      });
    },
  };
};
