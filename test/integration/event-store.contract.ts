import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../events/envelope.js';
import { ConcurrencyError, type EventFilter, type EventStore, type ExpectedRevision } from '../../events/event-store.js';
import { comparePositions, isPosition, maxPosition, type Position } from '../../events/position.js';
import { currentVersion } from '../../events/registry.js';
import { InvalidEventError } from '../../events/validate.js';

// The one contract every EventStore adapter passes (docs/architecture.md "Event store" and "Testing"). It assumes nothing about
// what else is in the store: each test writes to streams under a prefix of its own and reads
// the global log from the head it found when it started, keeping only its own events. Reads of
// the global log are eventually consistent (an event becomes readable once every older write
// has ended), so tests that need a commit to be readable wait for it, bounded.

export interface EventStoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreUnderTest>;

// ---------------------------------------------------------------------------------------------
// Events and scopes

const metadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  correlationId: uuidv7(),
  causationId: null,
  actorId: uuidv7(),
  occurredAt: '2025-03-01T12:00:00.000Z',
  ...overrides,
});

const liked = (): NewEvent => ({
  eventId: uuidv7(),
  type: 'Liked',
  data: { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' },
  metadata: metadata(),
});

const unliked = (): NewEvent => ({ eventId: uuidv7(), type: 'Unliked', data: { postId: uuidv7(), userId: uuidv7() }, metadata: metadata() });

const bookmarked = (): NewEvent => ({
  eventId: uuidv7(),
  type: 'Bookmarked',
  data: { userId: uuidv7(), postId: uuidv7(), bookmarkedAt: '2025-03-01T12:00:00.000Z' },
  metadata: metadata(),
});

const likes = (count: number): NewEvent[] => Array.from({ length: count }, liked);

/** Stream ids no other test (or other user of the store) shares. */
const newScope = () => {
  const prefix = `c${uuidv7().replaceAll('-', '').slice(-12)}-`;
  return { prefix, stream: (name: string) => `${prefix}${name}`, owns: (event: RecordedEvent) => event.streamId.startsWith(prefix) };
};

// ---------------------------------------------------------------------------------------------
// Reading helpers

const ids = (events: readonly { eventId: string }[]) => events.map((e) => e.eventId);

/** Reads the global log after `from` up to what is readable now, page by page. */
const readLog = async (store: EventStore, from: Position, filter?: EventFilter, pageSize = 250): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  let position = from;
  for (;;) {
    const page = await store.readAll(position, pageSize, filter);
    events.push(...page.events);
    position = page.position;
    if (page.events.length < pageSize) return events;
  }
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `read` until `done` holds; the deadline only keeps a broken adapter from hanging. */
const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await pause(10);
  }
};

/** The scope's events in the global log after `from`, once at least `count` are readable. */
const readOwnLog = (store: EventStore, from: Position, owns: (e: RecordedEvent) => boolean, count: number, filter?: EventFilter) =>
  eventually(
    async () => (await readLog(store, from, filter)).filter(owns),
    (events) => events.length >= count,
    `${count} events in the global log`,
  );

/** Consumes a subscription in the background. */
const collect = (events: AsyncIterable<RecordedEvent>, keep: (e: RecordedEvent) => boolean = () => true) => {
  const received: RecordedEvent[] = [];
  const done = (async () => {
    for await (const event of events) if (keep(event)) received.push(event);
  })();
  done.catch(() => undefined); // awaited by the test; this only prevents an unhandled-rejection report
  const until = (count: number) =>
    eventually(
      async () => received.length,
      (length) => length >= count,
      `${count} events from the subscription`,
    );
  return { received, done, until };
};

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

const isSortedStrictly = (positions: readonly Position[]) => positions.every((p, i) => i === 0 || comparePositions(positions[i - 1]!, p) < 0);

// ---------------------------------------------------------------------------------------------

export const eventStoreContract = (name: string, factory: EventStoreFactory): void => {
  describe(`EventStore contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    let scope: ReturnType<typeof newScope>;
    let head: Position;

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
      scope = newScope();
      head = await store.headPosition();
    });
    afterEach(async () => subject.cleanup());

    describe('append and readStream', () => {
      it('round-trips events with their type, data, metadata, current schema version and 0-based revisions', async () => {
        const stream = scope.stream('post');
        const first = { ...liked(), metadata: metadata({ causationId: uuidv7(), idempotencyKey: 'key-1' }) };
        const second = bookmarked();

        const result = await store.append(stream, [first, second], 'no_stream');
        const read = await store.readStream(stream);

        expect(result.nextRevision).toBe(1);
        expect(read.map(({ eventId, type, data, metadata, streamId, streamRevision, schemaVersion }) => ({ eventId, type, data, metadata, streamId, streamRevision, schemaVersion }))).toEqual([
          { ...first, streamId: stream, streamRevision: 0, schemaVersion: currentVersion('Liked') },
          { ...second, streamId: stream, streamRevision: 1, schemaVersion: currentVersion('Bookmarked') },
        ]);
        expect(read.every((e) => !Number.isNaN(Date.parse(e.recordedAt)))).toBe(true);
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBeLessThan(0);
        expect(result.position).toBe(read[1]!.position);
      });

      it('returns from append the position the global log gives the last event', async () => {
        const result = await store.append(scope.stream('a'), likes(3), 'no_stream');
        const log = await readOwnLog(store, head, scope.owns, 3);
        expect(log.at(-1)!.position).toBe(result.position);
      });

      it('reads a stream from a revision on, and an unknown stream as empty', async () => {
        const stream = scope.stream('s');
        const events = likes(5);
        await store.append(stream, events, 'no_stream');

        expect(ids(await store.readStream(stream, 3))).toEqual(ids(events.slice(3)));
        expect(ids(await store.readStream(stream, 0))).toEqual(ids(events));
        expect(await store.readStream(scope.stream('nothing-here'))).toEqual([]);
      });

      it('appends consecutive batches after each other', async () => {
        const stream = scope.stream('s');
        const batches = [likes(2), likes(1), likes(3)];
        const results = [];
        for (const batch of batches) results.push(await store.append(stream, batch, 'any'));

        expect(results.map((r) => r.nextRevision)).toEqual([1, 2, 5]);
        expect(isSortedStrictly(results.map((r) => r.position))).toBe(true);
        const read = await store.readStream(stream);
        expect(ids(read)).toEqual(ids(batches.flat()));
        expect(read.map((e) => e.streamRevision)).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('appends nothing for an empty batch and reports the current revision (-1 for no stream)', async () => {
        const stream = scope.stream('s');
        const written = await store.append(stream, likes(2), 'no_stream');

        expect(await store.append(stream, [], 'any')).toEqual(written);
        expect(await store.append(stream, [], 1)).toEqual(written);
        expect((await store.readStream(stream)).length).toBe(2);
        expect((await store.append(scope.stream('none'), [], 'any')).nextRevision).toBe(-1);
        await expect(store.append(stream, [], 0)).rejects.toBeInstanceOf(ConcurrencyError);
      });
    });

    describe('expected revision', () => {
      // existing: a stream whose last revision is 1; missing: a stream that was never written.
      const cases: { expected: ExpectedRevision; on: 'existing' | 'missing'; accepted: boolean }[] = [
        { expected: 'no_stream', on: 'missing', accepted: true },
        { expected: 'no_stream', on: 'existing', accepted: false },
        { expected: 1, on: 'existing', accepted: true },
        { expected: 0, on: 'existing', accepted: false },
        { expected: 2, on: 'existing', accepted: false },
        { expected: 0, on: 'missing', accepted: false },
        { expected: 'stream_exists', on: 'existing', accepted: true },
        { expected: 'stream_exists', on: 'missing', accepted: false },
        { expected: 'any', on: 'existing', accepted: true },
        { expected: 'any', on: 'missing', accepted: true },
      ];

      it.each(cases)('$expected on a $on stream: accepted=$accepted', async ({ expected, on, accepted }) => {
        const stream = scope.stream(on);
        const before = on === 'existing' ? likes(2) : [];
        if (before.length > 0) await store.append(stream, before, 'no_stream');
        const batch = likes(2);
        const attempt = store.append(stream, batch, expected);

        if (accepted) {
          expect((await attempt).nextRevision).toBe(before.length + 1);
          expect(ids(await store.readStream(stream))).toEqual(ids([...before, ...batch]));
        } else {
          const error = await rejection(attempt);
          expect(error).toBeInstanceOf(ConcurrencyError);
          expect(error).toMatchObject({ streamId: stream, expected, actual: on === 'existing' ? 1 : 'no_stream' });
          expect(ids(await store.readStream(stream))).toEqual(ids(before));
        }
      });

      it('property: an append succeeds exactly when its expectation matches the stream, and then extends it by the batch', async () => {
        const expectation = fc.oneof(
          fc.constant<ExpectedRevision>('no_stream'),
          fc.constant<ExpectedRevision>('stream_exists'),
          fc.constant<ExpectedRevision>('any'),
          fc.nat({ max: 4 }),
        );
        const operation = fc.record({ stream: fc.nat({ max: 2 }), expected: expectation, count: fc.integer({ min: 1, max: 3 }) });

        await fc.assert(
          fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 10 }), async (operations) => {
            const run = newScope();
            const model = new Map<number, number>(); // stream -> last revision
            for (const { stream, expected, count } of operations) {
              const last = model.get(stream) ?? -1;
              const matches =
                expected === 'any' || (expected === 'no_stream' ? last === -1 : expected === 'stream_exists' ? last >= 0 : expected === last);
              const attempt = store.append(run.stream(String(stream)), likes(count), expected);
              if (matches) {
                expect((await attempt).nextRevision).toBe(last + count);
                model.set(stream, last + count);
              } else {
                const error = await rejection(attempt);
                expect(error).toBeInstanceOf(ConcurrencyError);
                expect((error as ConcurrencyError).actual).toBe(last === -1 ? 'no_stream' : last);
              }
            }
            for (const [stream, last] of model) expect((await store.readStream(run.stream(String(stream)))).length).toBe(last + 1);
          }),
          { numRuns: 15 },
        );
      });
    });

    describe('guards', () => {
      it('commits while each guarded stream is at the revision given; a guard that moved, or names no stream, refuses the append and appends nothing', async () => {
        const guarded = scope.stream('account');
        await store.append(guarded, likes(2), 'no_stream');
        const kept = scope.stream('kept');
        expect((await store.append(kept, likes(1), 'no_stream', { guards: [{ streamId: guarded, revision: 1 }] })).nextRevision).toBe(0);

        await store.append(guarded, likes(1), 1);
        const refused = scope.stream('refused');
        const stale = await rejection(store.append(refused, likes(1), 'no_stream', { guards: [{ streamId: guarded, revision: 1 }] }));
        expect(stale).toBeInstanceOf(ConcurrencyError);
        expect(stale).toMatchObject({ streamId: guarded, expected: 1, actual: 2 });
        const missing = scope.stream('missing');
        const none = await rejection(store.append(refused, likes(1), 'no_stream', { guards: [{ streamId: guarded, revision: 2 }, { streamId: missing, revision: 0 }] }));
        expect(none).toMatchObject({ streamId: missing, expected: 0, actual: 'no_stream' });
        expect(await store.readStream(refused)).toEqual([]);
        expect((await store.readStream(kept)).length).toBe(1);
      });

      it('20 concurrent appends (sent together where the adapter batches them), half behind their guard: exactly the others commit', async () => {
        const guarded = scope.stream('account');
        await store.append(guarded, likes(3), 'no_stream');
        const attempts = Array.from({ length: 20 }, (_, i) => ({ stream: scope.stream(`item-${i}`), revision: i % 2 === 0 ? 2 : 1 }));
        const outcomes = await Promise.allSettled(
          attempts.map(({ stream, revision }) => store.append(stream, likes(1), 'no_stream', { guards: [{ streamId: guarded, revision }] })),
        );
        outcomes.forEach((outcome, i) => {
          if (i % 2 === 0) expect(outcome.status).toBe('fulfilled');
          else expect(outcome).toMatchObject({ status: 'rejected', reason: { streamId: guarded, expected: 1, actual: 2 } });
        });
        const lengths = await Promise.all(attempts.map(async ({ stream }) => (await store.readStream(stream)).length));
        expect(lengths).toEqual(attempts.map((_, i) => (i % 2 === 0 ? 1 : 0)));
      });
    });

    describe('concurrent appends', () => {
      it('20 appenders at the same expected revision: exactly one wins each round, the others get ConcurrencyError, no gaps', async () => {
        const stream = scope.stream('contended');
        const winners: NewEvent[][] = [];
        for (let round = 0; round < 5; round++) {
          const expected: ExpectedRevision = round === 0 ? 'no_stream' : round * 2 - 1;
          const batches = Array.from({ length: 20 }, () => likes(2));
          const outcomes = await Promise.allSettled(batches.map((batch) => store.append(stream, batch, expected)));

          const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [{ batch: batches[i]!, result: o.value }] : []));
          const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
          expect(won).toHaveLength(1);
          expect(won[0]!.result.nextRevision).toBe(round * 2 + 1);
          expect(lost).toHaveLength(19);
          for (const error of lost) expect(error).toBeInstanceOf(ConcurrencyError);
          winners.push(won[0]!.batch);
        }
        const read = await store.readStream(stream);
        expect(read.map((e) => e.streamRevision)).toEqual(Array.from({ length: 10 }, (_, i) => i));
        expect(ids(read)).toEqual(ids(winners.flat()));
      });

      it("20 appenders with 'any' to one new stream: all succeed, with distinct consecutive revisions", async () => {
        const stream = scope.stream('any');
        const results = await Promise.all(Array.from({ length: 20 }, () => store.append(stream, likes(1), 'any')));

        expect(results.map((r) => r.nextRevision).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect((await store.readStream(stream)).map((e) => e.streamRevision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      });

      it('20 workers x 50 appends with a concurrent readAll poller: it sees every committed event exactly once, in a stable order', async () => {
        const workers = 20;
        const appendsPerWorker = 50;
        const streamsPerWorker = 5;
        const appended = new Map<string, string[]>(); // eventId -> ids of its batch
        let appending = true;

        const worker = async (w: number) => {
          const revisions = new Map<string, number>();
          for (let i = 0; i < appendsPerWorker; i++) {
            const stream = scope.stream(`load-${w}-${i % streamsPerWorker}`);
            const batch = likes(i % 10 === 0 ? 3 : 1);
            const result = await store.append(stream, batch, revisions.get(stream) ?? 'no_stream');
            revisions.set(stream, result.nextRevision);
            for (const event of batch) appended.set(event.eventId, ids(batch));
          }
        };

        const seen: RecordedEvent[] = [];
        const reader = async () => {
          let position = head;
          const deadline = Date.now() + 20_000;
          while (appending || seen.length < appended.size) {
            if (Date.now() > deadline) throw new Error(`reader saw ${seen.length} of ${appended.size} events`);
            const page = await store.readAll(position, 100);
            expect(comparePositions(page.position, position)).toBeGreaterThanOrEqual(0);
            seen.push(...page.events.filter(scope.owns));
            position = page.position;
            if (page.events.length === 0) await pause(2);
          }
        };

        const appendersDone = Promise.all(Array.from({ length: workers }, (_, w) => worker(w))).finally(() => (appending = false));
        await Promise.all([reader(), appendersDone]);

        const seenIds = ids(seen);
        expect(new Set(seenIds).size).toBe(seenIds.length);
        expect(new Set(seenIds)).toEqual(new Set(appended.keys()));
        expect(isSortedStrictly(seen.map((e) => e.position))).toBe(true);
        // Each stream's events come in revision order, and each batch lies in one piece.
        const lastRevision = new Map<string, number>();
        for (const event of seen) {
          expect(event.streamRevision).toBe((lastRevision.get(event.streamId) ?? -1) + 1);
          lastRevision.set(event.streamId, event.streamRevision);
        }
        for (const [index, event] of seen.entries()) {
          const batch = appended.get(event.eventId)!;
          if (batch[0] === event.eventId) expect(seenIds.slice(index, index + batch.length)).toEqual(batch);
        }
        // A reader starting over later reads the same log in the same order.
        expect(ids((await readLog(store, head)).filter(scope.owns))).toEqual(seenIds);
      });
    });

    describe('readAll', () => {
      it('pages through the log in order, at most `max` at a time, each page ending at its last event', async () => {
        const events = likes(7);
        for (const [i, event] of events.entries()) await store.append(scope.stream(`s${i % 3}`), [event], 'any');
        const all = await readOwnLog(store, head, scope.owns, 7);
        expect(ids(all)).toEqual(ids(events));

        const pages = [];
        let position = head;
        for (;;) {
          const page = await store.readAll(position, 3);
          const own = page.events.filter(scope.owns);
          if (page.events.length > 0) expect(page.position).toBe(page.events.at(-1)!.position);
          expect(page.events.length).toBeLessThanOrEqual(3);
          pages.push(...own);
          position = page.position;
          if (page.events.length < 3) break;
        }
        expect(ids(pages)).toEqual(ids(events));
        expect((await store.readAll(all.at(-1)!.position, 10)).events.filter(scope.owns)).toEqual([]);
      });

      it('filters by type and by stream prefix (wildcard characters taken literally), in log order', async () => {
        const appends: [string, NewEvent][] = [
          ['a_b-1', liked()],
          ['axb-1', bookmarked()],
          ['a_b-2', unliked()],
          ['a%c-1', liked()],
          ['abc-1', bookmarked()],
          ['a_b-3', bookmarked()],
        ];
        for (const [stream, event] of appends) await store.append(scope.stream(stream), [event], 'any');
        const all = await readOwnLog(store, head, scope.owns, appends.length);
        const expectMatches = async (filter: EventFilter, predicate: (e: RecordedEvent) => boolean) => {
          const filtered = (await readLog(store, head, filter)).filter(scope.owns);
          expect(ids(filtered)).toEqual(ids(all.filter(predicate)));
          expect(filtered.length).toBeGreaterThan(0);
        };

        await expectMatches({ types: ['Bookmarked'] }, (e) => e.type === 'Bookmarked');
        await expectMatches({ types: ['Liked', 'Unliked'] }, (e) => e.type !== 'Bookmarked');
        await expectMatches({ streamPrefixes: [scope.stream('a_b-')] }, (e) => e.streamId.startsWith(scope.stream('a_b-')));
        await expectMatches({ streamPrefixes: [scope.stream('a%'), scope.stream('abc')] }, (e) => /-(a%c|abc)-1$/.test(e.streamId));
        await expectMatches({ types: ['Bookmarked'], streamPrefixes: [scope.stream('a_b')] }, (e) => e.type === 'Bookmarked' && e.streamId.includes('a_b-'));
      });

      it('paging a filtered read one event at a time gives the filtered log, and never goes back', async () => {
        const events = [liked(), bookmarked(), bookmarked(), liked(), unliked(), bookmarked(), liked()];
        for (const [i, event] of events.entries()) await store.append(scope.stream(`s${i}`), [event], 'any');
        const all = await readOwnLog(store, head, scope.owns, events.length);
        const filter: EventFilter = { types: ['Bookmarked'], streamPrefixes: [scope.prefix] };

        const paged: RecordedEvent[] = [];
        let position = head;
        for (let reads = 0; reads < 20; reads++) {
          const page = await store.readAll(position, 1, filter);
          expect(comparePositions(page.position, position)).toBeGreaterThanOrEqual(0);
          for (const event of page.events) expect(comparePositions(page.position, event.position)).toBeGreaterThanOrEqual(0);
          paged.push(...page.events);
          position = page.position;
          if (page.events.length === 0) break;
        }
        expect(ids(paged)).toEqual(ids(all.filter((e) => e.type === 'Bookmarked')));
        // The filter matched nothing after the last bookmark, yet reading on from where it left
        // off yields no event twice.
        expect((await store.readAll(position, 10, filter)).events).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('catches up, then delivers live events in log order, and ends cleanly when aborted', async () => {
        const early = likes(3);
        await store.append(scope.stream('a'), early, 'no_stream');
        const abort = new AbortController();
        const subscription = collect(store.subscribe(head, { signal: abort.signal }), scope.owns);

        await subscription.until(3);
        const late = [bookmarked(), unliked()];
        await store.append(scope.stream('b'), [late[0]!], 'no_stream');
        await store.append(scope.stream('a'), [late[1]!], 2);
        await subscription.until(5);
        abort.abort();
        await subscription.done;

        expect(ids(subscription.received)).toEqual(ids([...early, ...late]));
        expect(isSortedStrictly(subscription.received.map((e) => e.position))).toBe(true);
      });

      it('starts strictly after the given position and applies its filter', async () => {
        const before = likes(2);
        const first = await store.append(scope.stream('a'), before, 'no_stream');
        const after = [liked(), bookmarked(), liked()];
        for (const [i, event] of after.entries()) await store.append(scope.stream(`b${i}`), [event], 'no_stream');
        const abort = new AbortController();
        const subscription = collect(store.subscribe(first.position, { signal: abort.signal, filter: { types: ['Liked'], streamPrefixes: [scope.prefix] } }));

        await subscription.until(2);
        const live = liked();
        await store.append(scope.stream('c'), [bookmarked(), live], 'no_stream');
        await subscription.until(3);
        abort.abort();
        await subscription.done;

        expect(ids(subscription.received)).toEqual(ids([after[0]!, after[2]!, live]));
      });

      it('yields nothing and ends when its signal is already aborted', async () => {
        await store.append(scope.stream('a'), likes(2), 'no_stream');
        const received = [];
        for await (const event of store.subscribe(head, { signal: AbortSignal.abort() })) received.push(event);
        expect(received).toEqual([]);
      });
    });

    describe('headPosition', () => {
      it('moves to the position of the last readable event, is at or after every position read, and never goes back', async () => {
        const result = await store.append(scope.stream('a'), likes(2), 'no_stream');
        // The head taken before the append is before it (a head running ahead of the log is not).
        expect(comparePositions(head, result.position)).toBeLessThan(0);
        const reached = await eventually(
          () => store.headPosition(),
          (position) => comparePositions(position, result.position) >= 0,
          'the head to reach the append',
        );
        expect(comparePositions(reached, head)).toBeGreaterThan(0);
        const read = await readLog(store, head);
        // It names an event of the log (not merely a token past ours), and our last one is where append said.
        expect(read.map((e) => e.position)).toContain(reached);
        expect(read.filter(scope.owns).at(-1)?.position).toBe(result.position);
        // Taken again after that read, it is at or after every position read, and never before what it was.
        const later = await store.headPosition();
        expect(comparePositions(later, maxPosition(...read.map((e) => e.position)))).toBeGreaterThanOrEqual(0);
        expect(comparePositions(later, reached)).toBeGreaterThanOrEqual(0);
        // Everything up to the head is readable: reading after it gives nothing of ours.
        expect((await store.readAll(reached, 10)).events.filter(scope.owns)).toEqual([]);
      });
    });

    describe('lastCommittedPosition', () => {
      it('is at or after the position an append returned as soon as it returned, and never before the head', async () => {
        const headBefore = await store.headPosition();
        const result = await store.append(scope.stream('a'), likes(2), 'no_stream');
        // No waiting: read-your-writes compares a client's position with it (app/freshness.ts).
        const committed = await store.lastCommittedPosition();
        expect(comparePositions(committed, result.position)).toBeGreaterThanOrEqual(0);
        expect(comparePositions(committed, headBefore)).toBeGreaterThanOrEqual(0);
        // Both have the port's token shape (the HTTP API refuses ?minPosition= of any other).
        expect(isPosition(result.position) && isPosition(committed)).toBe(true);
        const later = await store.lastCommittedPosition();
        expect(comparePositions(later, committed)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('validation', () => {
      it('rejects a batch with an invalid event and appends none of it', async () => {
        const stream = scope.stream('p');
        const badPost: NewEvent = { eventId: uuidv7(), type: 'PostCreated', data: { postId: uuidv7(), media: [] }, metadata: metadata() };

        await expect(store.append(stream, [liked(), badPost], 'no_stream')).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.append(stream, [{ ...liked(), type: 'NoSuchEvent' }], 'any')).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.append(stream, [{ ...liked(), data: { postId: 'not-a-uuid' } }], 'any')).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.readStream(stream)).toEqual([]);
        // The stream still does not exist as far as expectations go.
        expect((await store.append(stream, likes(1), 'no_stream')).nextRevision).toBe(0);
      });
    });
  });
};
