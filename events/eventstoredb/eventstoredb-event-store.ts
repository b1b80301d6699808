import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  StreamNotFoundError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ReadPosition,
} from '@eventstore/db-client';
import type { NewEvent, RecordedEvent } from '../envelope.js';
import { ConcurrencyError, matchesFilter, meetsExpectation, type AppendResult, type EventFilter, type EventStore, type ExpectedRevision, type StreamGuard } from '../event-store.js';
import { START, type Position } from '../position.js';
import { validateEvent } from '../validate.js';
import { decodeCommitPosition, encodeCommitPosition } from './commit-position.js';
import { asConcurrencyError, toClientExpectedRevision } from './expected-revision.js';
import { readAllByPages } from './log-scan.js';
import { isPlatformEvent, serverFilterOf, toEventData, toRecordedEvent } from './recorded-event.js';

// The EventStoreDB adapter of the event store port (docs/architecture.md "Event store"), through
// @eventstore/db-client. A port stream is an EventStoreDB stream of the same name, a port event
// an EventStoreDB JSON event (recorded-event.ts), the global log is $all without EventStoreDB's
// own system events, and a global position is the event's (commit, prepare) position in $all
// (commit-position.ts). $all is the transaction file read in order, so the gap-free read the
// PostgreSQL adapter builds from transaction ids is native here: an event is readable in $all
// only once everything before it is.
//
// Checked in this project by the type checker and the unit tests of its mappings only: no
// EventStoreDB server can be installed from its registries. The contract suite
// (test/integration/eventstoredb-event-store.test.ts) runs against a server when EVENTSTORE_URL
// is set (README "EventStoreDB").

export interface EventStoreDbEventStoreOptions {
  /**
   * Events a filtered readAll asks the server for per round trip (default 512). The client's
   * readAll (6.x) sends no filter, so readAll filters in process and reads $all in pages of this
   * many; subscriptions are filtered by the server.
   */
  scanPageSize?: number;
  /** How long the append watch (onAppend) waits before subscribing again after losing its subscription. */
  watchRetryMs?: number;
}

/** Events read per round trip while looking back from the end of $all for the last platform event. */
const HEAD_PAGE = 64;

/**
 * The store on the EventStoreDB at `connectionString` (esdb://host:2113?tls=false, or a cluster's
 * esdb+discover:// string). Needs EventStoreDB 22.10 or later (stream reads carry $all positions
 * from then on). close() disposes of the client.
 */
export const createEventStoreDbEventStore = (connectionString: string, options: EventStoreDbEventStoreOptions = {}): EventStore => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const closing = new AbortController();
  const watch = createAppendWatch(client, closing.signal, options.watchRetryMs ?? 1_000);
  const scanPageSize = options.scanPageSize ?? 512;
  const readPage = readLogPage(client);

  return {
    append: (streamId, events, expected, appendOptions) => appendEvents(client, streamId, events, expected, appendOptions?.guards),
    readStream: (streamId, fromRevision) => readStreamEvents(client, streamId, fromRevision),
    readAll: (from, max, filter) => readAllByPages(readPage, from, max, filter, scanPageSize),
    subscribe: (from, subscribeOptions = {}) =>
      subscribeToAllEvents(client, from, subscribeOptions.filter, subscribeOptions.signal ? AbortSignal.any([subscribeOptions.signal, closing.signal]) : closing.signal),
    headPosition: async () => (await lastPlatformEventPosition(client)) ?? START,
    lastCommittedPosition: async () => (await lastLogPosition(client)) ?? START,
    onAppend: (listener) => watch.add(listener),
    async close() {
      closing.abort();
      watch.close();
      await client.dispose();
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Streams

/**
 * Validates every event first (a bad one refuses the batch, which writes nothing), then appends
 * in one call: EventStoreDB checks the expectation and writes the batch atomically. A retried
 * append of the same event ids at the same expectation is deduplicated by the server, which
 * answers with the first append's result.
 */
const appendEvents = async (
  client: EventStoreDBClient,
  streamId: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  guards: readonly StreamGuard[] = [],
): Promise<AppendResult> => {
  const expectedRevision = toClientExpectedRevision(expected);
  const data = events.map((event) => toEventData(event, validateEvent(event)));
  await checkGuards(client, guards);
  if (data.length === 0) return emptyAppend(client, streamId, expected);
  let nextExpectedRevision: bigint;
  try {
    const result = await client.appendToStream(streamId, data, { expectedRevision });
    // Only with throwOnAppendFailure=false in the connection string: the client then resolves a refusal, without the actual revision.
    if (!result.success) throw new ConcurrencyError(streamId, expected, 'unknown');
    nextExpectedRevision = result.nextExpectedRevision;
  } catch (error) {
    throw asConcurrencyError(error, streamId, expected) ?? error;
  }
  // The append's reply carries a position, but which record's it is (the last event's, or its
  // transaction's) has varied across server versions, and the port promises the position $all
  // gives the last event: reading that event back gives exactly it, for one more round trip.
  const last = await eventAt(client, streamId, nextExpectedRevision);
  return { nextRevision: Number(nextExpectedRevision), position: last.position };
};

/**
 * EventStoreDB appends to one stream at a time, so a guard is checked by reading its stream's last
 * event just before the append: a guarded stream that moves in between is not seen (PostgreSQL's
 * adapter holds the guarded row until its commit). As good as the read the guard replaces.
 */
const checkGuards = async (client: EventStoreDBClient, guards: readonly StreamGuard[]) => {
  for (const guard of guards) {
    const actual = (await lastEventOf(client, guard.streamId))?.streamRevision ?? -1;
    if (actual !== guard.revision) throw new ConcurrencyError(guard.streamId, guard.revision, actual === -1 ? 'no_stream' : actual);
  }
};

/** An empty batch writes nothing: the expectation is checked against the stream's last event here. */
const emptyAppend = async (client: EventStoreDBClient, streamId: string, expected: ExpectedRevision): Promise<AppendResult> => {
  const last = await lastEventOf(client, streamId);
  const revision = last?.streamRevision ?? -1;
  if (!meetsExpectation(expected, revision)) throw new ConcurrencyError(streamId, expected, revision === -1 ? 'no_stream' : revision);
  return { nextRevision: revision, position: last?.position ?? START };
};

const readStreamEvents = async (client: EventStoreDBClient, streamId: string, fromRevision = 0): Promise<RecordedEvent[]> =>
  readStreamPage(client, streamId, { fromRevision: BigInt(Math.max(0, fromRevision)) });

const eventAt = async (client: EventStoreDBClient, streamId: string, revision: bigint): Promise<RecordedEvent> => {
  const [event] = await readStreamPage(client, streamId, { fromRevision: revision, maxCount: 1 });
  if (!event || event.streamRevision !== Number(revision)) throw new Error(`EventStoreDB stream ${streamId}: no event at revision ${revision} after appending it`);
  return event;
};

const lastEventOf = async (client: EventStoreDBClient, streamId: string): Promise<RecordedEvent | undefined> =>
  (await readStreamPage(client, streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }))[0];

/** A stream's events (an unknown stream has none), mapped and upcast. */
const readStreamPage = async (client: EventStoreDBClient, streamId: string, options: Parameters<EventStoreDBClient['readStream']>[1]): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of client.readStream(streamId, { direction: FORWARDS, ...options })) {
      if (resolved.event) events.push(toRecordedEvent(resolved.event));
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
};

// ---------------------------------------------------------------------------------------------
// The global log

/** The client's readAll forwards, a page at a time, for log-scan.ts. */
const readLogPage = (client: EventStoreDBClient) => async (from: ReadPosition, count: number): Promise<AllStreamRecordedEvent[]> => {
  const page: AllStreamRecordedEvent[] = [];
  for await (const resolved of client.readAll({ fromPosition: from, maxCount: count, direction: FORWARDS })) {
    if (resolved.event) page.push(resolved.event);
  }
  return page;
};

/** Catch-up then live, filtered by the server (serverFilterOf) and again here, until `stop` aborts. */
async function* subscribeToAllEvents(client: EventStoreDBClient, from: Position, filter: EventFilter | undefined, stop: AbortSignal): AsyncGenerator<RecordedEvent> {
  const fromPosition = decodeCommitPosition(from);
  if (stop.aborted) return;
  const subscription = client.subscribeToAll({ fromPosition, filter: serverFilterOf(filter) });
  const iterator = subscription[Symbol.asyncIterator]();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    stop.addEventListener('abort', onAbort, { once: true });
  });
  let pending: Promise<IteratorResult<AllStreamResolvedEvent>> | undefined;
  try {
    while (!stop.aborted) {
      pending = iterator.next();
      const next = await Promise.race([pending, aborted]);
      if (next === 'aborted' || next.done) return;
      pending = undefined;
      const record = next.value.event;
      if (!record || !isPlatformEvent(record) || !matchesFilter(record, filter)) continue;
      // The server starts after `from`; checked again so that a resumed subscription never repeats an event.
      if (encodeCommitPosition(record.position) <= from) continue;
      yield toRecordedEvent(record);
    }
  } finally {
    stop.removeEventListener('abort', onAbort);
    // A read in flight when the subscription is cancelled settles with the cancellation: nobody waits for it.
    pending?.catch(() => undefined);
    await subscription.unsubscribe().catch(() => undefined);
    subscription.destroy();
  }
}

/** The position of the last event of $all, system events included: every append's position is at or before it. */
const lastLogPosition = async (client: EventStoreDBClient): Promise<Position | undefined> => {
  for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })) {
    if (resolved.event) return encodeCommitPosition(resolved.event.position);
  }
  return undefined;
};

/** The position of the last platform event: the last event a readAll returns. Looks back past system events, a page at a time. */
const lastPlatformEventPosition = async (client: EventStoreDBClient): Promise<Position | undefined> => {
  let cursor: ReadPosition = END;
  let seen: Position | undefined;
  for (;;) {
    let read = 0;
    let found: Position | undefined;
    for await (const resolved of client.readAll({ fromPosition: cursor, direction: BACKWARDS, maxCount: HEAD_PAGE })) {
      read++;
      if (found || !resolved.event) continue;
      const position = encodeCommitPosition(resolved.event.position);
      // A backwards read from a position may start with the event there, seen on the previous page.
      if (seen !== undefined && position >= seen) continue;
      seen = position;
      if (isPlatformEvent(resolved.event)) found = position;
    }
    if (found) return found;
    if (read < HEAD_PAGE || seen === undefined) return undefined;
    cursor = decodeCommitPosition(seen);
  }
};

// ---------------------------------------------------------------------------------------------
// onAppend

/**
 * One live subscription to the end of $all (system events filtered out by the server) while
 * anybody listens, calling every listener on each event: it hears appends of every process.
 * Hints only, as the port says: a lost subscription is taken again after `retryMs`, and what was
 * appended meanwhile is found by the readers' next poll.
 */
const createAppendWatch = (client: EventStoreDBClient, storeClosed: AbortSignal, retryMs: number) => {
  const listeners = new Set<() => void>();
  let subscription: AllStreamSubscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  const drop = (current: AllStreamSubscription) => {
    if (subscription === current) subscription = undefined;
    void current
      .unsubscribe()
      .catch(() => undefined)
      .finally(() => current.destroy());
  };
  const start = () => {
    retry = undefined;
    if (subscription || listeners.size === 0 || storeClosed.aborted) return;
    const current = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    subscription = current;
    current.on('data', () => {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // A hint's listener failing must not end the watch.
        }
      }
    });
    current.on('error', () => {
      drop(current);
      if (!retry && !storeClosed.aborted) (retry = setTimeout(start, retryMs)).unref();
    });
  };
  return {
    add(listener: () => void): () => void {
      listeners.add(listener);
      start();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && subscription) drop(subscription);
      };
    },
    close() {
      clearTimeout(retry);
      listeners.clear();
      if (subscription) drop(subscription);
    },
  };
};
