import type { EventData, ReadPosition } from '@eventstore/db-client';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../events/envelope.js';
import { matchesFilter, type EventFilter } from '../../../events/event-store.js';
import { encodeCommitPosition } from '../../../events/eventstoredb/commit-position.js';
import { readAllByPages, type LogRecord, type ReadLogPage } from '../../../events/eventstoredb/log-scan.js';
import { toEventData } from '../../../events/eventstoredb/recorded-event.js';
import { comparePositions, START, type Position } from '../../../events/position.js';
import { asServerReturns } from '../../support/eventstoredb-records.js';

// readAll's fold of $all pages (events/eventstoredb/log-scan.ts) over a log given as data: the
// records as the client converts them, with EventStoreDB's own system events and events of other
// writers among the platform's, and pages served as the client's readAll would, starting at the
// event at the given position (inclusive) or after it: the adapter must not depend on which.

type Kind = 'liked' | 'bookmarked' | 'system' | 'foreign';
interface Entry {
  kind: Kind;
  stream: string;
}

const platformData = (type: 'Liked' | 'Bookmarked'): EventData => {
  const data =
    type === 'Liked'
      ? { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' }
      : { userId: uuidv7(), postId: uuidv7(), bookmarkedAt: '2025-03-01T12:00:00.000Z' };
  const metadata = { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' };
  return toEventData({ eventId: uuidv7(), type, data, metadata }, data);
};

/** The log: records at strictly increasing positions, some sharing a commit (one transaction). */
const buildLog = (entries: readonly Entry[], sharedCommits: readonly boolean[]): LogRecord[] => {
  let commit = 100n;
  let prepare = 100n;
  return entries.map((entry, i) => {
    if (sharedCommits[i]) prepare += 7n;
    else prepare = commit = commit + 50n;
    const data: EventData =
      entry.kind === 'liked' || entry.kind === 'bookmarked'
        ? platformData(entry.kind === 'liked' ? 'Liked' : 'Bookmarked')
        : entry.kind === 'system'
          ? { ...platformData('Liked'), type: '$statsCollected' }
          : { ...platformData('Liked'), metadata: { $correlationId: 'another writer' } };
    const streamId = entry.kind === 'system' ? '$stats-127.0.0.1:2113' : entry.stream;
    return asServerReturns(data, { streamId, revision: BigInt(i), commit, prepare }) as LogRecord;
  });
};

const tokenOf = (record: LogRecord): Position => encodeCommitPosition(record.position);

/** The client's readAll over `log`: from START, or from a position, its event included or not. */
const pagesOf =
  (log: readonly LogRecord[], inclusive: boolean): ReadLogPage =>
  async (from: ReadPosition, count: number) => {
    if (from === 'end') return [];
    const after = from === 'start' ? START : encodeCommitPosition(from);
    const start = from === 'start' ? 0 : log.findIndex((r) => (inclusive ? tokenOf(r) >= after : tokenOf(r) > after));
    return start < 0 ? [] : log.slice(start, start + count);
  };

const expectedEvents = (log: readonly LogRecord[], filter: EventFilter | undefined) =>
  log.filter((r) => !r.type.startsWith('$') && !r.streamId.startsWith('$') && (r.metadata as { schemaVersion?: number }).schemaVersion !== undefined && matchesFilter(r, filter)).map((r) => r.id);

const entry = fc.record({ kind: fc.constantFrom<Kind>('liked', 'liked', 'bookmarked', 'system', 'foreign'), stream: fc.constantFrom('a-1', 'a-2', 'ab-1', 'b-1') });
const filter = fc.option(
  fc.oneof(
    fc.record({ types: fc.subarray(['Liked', 'Bookmarked'], { minLength: 1 }) }),
    fc.record({ streamPrefixes: fc.subarray(['a-', 'ab', 'b'], { minLength: 1 }) }),
    fc.record({ types: fc.subarray(['Liked', 'Bookmarked'], { minLength: 1 }), streamPrefixes: fc.subarray(['a-', 'ab', 'b'], { minLength: 1 }) }),
  ),
  { nil: undefined },
);

describe('EventStoreDB readAll over pages of $all', () => {
  it('property: reading on from each result gives the filtered platform log once, in order, never going back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        filter,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        async (entries, shared, filterGiven, max, scanPageSize, inclusive) => {
          const log = buildLog(entries, shared);
          const readPage = pagesOf(log, inclusive);
          const read: RecordedEvent[] = [];
          let position = START;
          for (let calls = 0; ; calls++) {
            expect(calls).toBeLessThan(log.length + 2);
            const result = await readAllByPages(readPage, position, max, filterGiven, scanPageSize);
            expect(result.events.length).toBeLessThanOrEqual(max);
            expect(comparePositions(result.position, position)).toBeGreaterThanOrEqual(0);
            for (const event of result.events) expect(comparePositions(result.position, event.position)).toBeGreaterThanOrEqual(0);
            // A full result, and an unfiltered one with events, ends at its last event.
            if (result.events.length === max || (!filterGiven && result.events.length > 0)) expect(result.position).toBe(result.events.at(-1)!.position);
            read.push(...result.events);
            position = result.position;
            if (result.events.length < max) break;
          }
          expect(read.map((e) => e.eventId)).toEqual(expectedEvents(log, filterGiven));
          // At the end of $all a filtered read has moved past everything it skipped.
          if (filterGiven && log.length > 0) expect(position).toBe(tokenOf(log.at(-1)!));
          // And reading on from there gives nothing.
          expect((await readAllByPages(readPage, position, max, filterGiven, scanPageSize)).events).toEqual([]);
        },
      ),
    );
  });

  it('ends an unfiltered page at its last event even when system events follow it, and passes them when there is none', async () => {
    const log = buildLog(
      [
        { kind: 'liked', stream: 'a-1' },
        { kind: 'system', stream: '' },
        { kind: 'system', stream: '' },
      ],
      [],
    );
    const readPage = pagesOf(log, true);
    const first = await readAllByPages(readPage, START, 10, undefined, 512);
    expect(first.events.map((e) => e.eventId)).toEqual([log[0]!.id]);
    expect(first.position).toBe(tokenOf(log[0]!));
    const next = await readAllByPages(readPage, first.position, 10, undefined, 512);
    expect(next).toEqual({ events: [], position: tokenOf(log[2]!) });
  });

  it('returns nothing and stays put for max 0, and refuses a token of another store', async () => {
    const readPage = pagesOf(buildLog([{ kind: 'liked', stream: 'a-1' }], []), true);
    expect(await readAllByPages(readPage, START, 0, undefined, 512)).toEqual({ events: [], position: START });
    await expect(readAllByPages(readPage, '0000000000000001' as Position, 5, undefined, 512)).rejects.toThrow(/not an EventStoreDB event store position/);
  });
});
