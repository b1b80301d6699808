import type pg from 'pg';
import type { NewEvent } from '../envelope.js';
import { ConcurrencyError, type AppendResult, type ExpectedRevision } from '../event-store.js';
import { START } from '../position.js';
import { currentVersion, type EventType } from '../registry.js';
import { validateEvent } from '../validate.js';
import { logPositionOfRow } from './log-position.js';

// Named, so each connection parses and plans it once (prepared on first use): the hot statement
// of every command, where parsing was a measurable part of its cost (bench:http).
const APPEND = `select next_revision, last_transaction_id, last_global_position
  from event_store_append($1, $2, $3, $4::uuid[], $5::text[], $6::integer[], $7::jsonb[], $8::jsonb[])`;

const WRONG_EXPECTED_REVISION = 'ES409';
const UNIQUE_VIOLATION = '23505';

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
): Promise<AppendResult> => {
  const data = events.map((event) => JSON.stringify(validateEvent(event)));
  const [expectation, expectedRevision] = expectationParameters(expected);
  const values = [
    streamId,
    expectation,
    expectedRevision,
    events.map((e) => e.eventId),
    events.map((e) => e.type),
    events.map((e) => currentVersion(e.type as EventType)),
    data,
    events.map((e) => JSON.stringify(e.metadata)),
  ];
  try {
    const { rows } = await pool.query<AppendRow>({ name: 'event_store_append', text: APPEND, values });
    return appendResult(rows[0]);
  } catch (error) {
    throw asConcurrencyError(error, streamId, expected) ?? error;
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
const asConcurrencyError = (error: unknown, streamId: string, expected: ExpectedRevision): ConcurrencyError | undefined => {
  const { code, detail } = (error ?? {}) as { code?: string; detail?: string };
  if (code === WRONG_EXPECTED_REVISION) {
    const actual = Number(detail);
    return new ConcurrencyError(streamId, expected, actual === -1 ? 'no_stream' : actual);
  }
  if (code === UNIQUE_VIOLATION) return new ConcurrencyError(streamId, expected, 'unknown');
  return undefined;
};
