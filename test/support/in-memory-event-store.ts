import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { ConcurrencyError, matchesFilter, meetsExpectation, type AppendOptions, type AppendResult, type EventFilter, type EventStore, type ExpectedRevision, type ReadAllResult, type SubscribeOptions } from '../../events/event-store.js';
import { asPosition, START, type Position } from '../../events/position.js';
import { currentVersion, type EventType } from '../../events/registry.js';
import type { SnapshotStore, StreamSnapshot } from '../../events/snapshot-store.js';
import { validateEvent } from '../../events/validate.js';

// An EventStore in one process's memory, for fast tests of command handlers. It passes the same
// contract as the PostgreSQL adapter (test/integration/in-memory-event-store.test.ts): events are
// validated before append, revisions are checked, and the global log is one array. Every event
// is copied in and out, so a caller can never change what the store holds.

// Fixed width, so that string order is log order (events/position.ts).
const positionOf = (index: number): Position => asPosition((index + 1).toString(16).padStart(16, '0'));

export interface InMemoryEventStoreOptions {
  /** Offer stream snapshots, as the PostgreSQL store does (default true). */
  snapshots?: boolean;
}

export const createInMemoryEventStore = (options: InMemoryEventStoreOptions = {}): EventStore => {
  const log: RecordedEvent[] = [];
  const streams = new Map<string, RecordedEvent[]>();
  const listeners = new Set<() => void>();
  const closed = new AbortController();

  const headPosition = (): Position => log.at(-1)?.position ?? START;

  const lastRevisionOf = (streamId: string) => (streams.get(streamId)?.length ?? 0) - 1;

  const append = async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options: AppendOptions = {}): Promise<AppendResult> => {
    const data = events.map(validateEvent);
    for (const guard of options.guards ?? []) {
      const actual = lastRevisionOf(guard.streamId);
      if (actual !== guard.revision) throw new ConcurrencyError(guard.streamId, guard.revision, actual === -1 ? 'no_stream' : actual);
    }
    const stream = streams.get(streamId) ?? [];
    const last = stream.length - 1;
    if (!meetsExpectation(expected, last)) throw new ConcurrencyError(streamId, expected, last === -1 ? 'no_stream' : last);
    if (events.length === 0) return { nextRevision: last, position: stream.at(-1)?.position ?? START };
    const recordedAt = new Date().toISOString();
    const recorded = events.map(
      (event, i): RecordedEvent => ({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: currentVersion(event.type as EventType),
        data: structuredClone(data[i]),
        metadata: structuredClone(event.metadata),
        streamId,
        streamRevision: last + 1 + i,
        position: positionOf(log.length + i),
        recordedAt,
      }),
    );
    log.push(...recorded);
    streams.set(streamId, [...stream, ...recorded]);
    for (const listener of listeners) listener();
    return { nextRevision: last + events.length, position: recorded.at(-1)!.position };
  };

  const readAll = async (from: Position, max: number, filter?: EventFilter): Promise<ReadAllResult> => {
    const events: RecordedEvent[] = [];
    let position = from;
    for (const event of log) {
      if (event.position <= from) continue;
      if (events.length === max) break;
      // Past every event looked at, so that a filtered read's checkpoint moves on.
      position = event.position;
      if (matchesFilter(event, filter)) events.push(structuredClone(event));
    }
    return { events, position };
  };

  /** Resolves on the next append, or when `signal` aborts. */
  const nextAppend = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        listeners.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      listeners.add(done);
      signal.addEventListener('abort', done);
    });

  async function* subscribe(from: Position, options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const stop = options.signal ? AbortSignal.any([options.signal, closed.signal]) : closed.signal;
    let position = from;
    while (!stop.aborted) {
      const page = await readAll(position, 100, options.filter);
      for (const event of page.events) {
        if (stop.aborted) return;
        yield event;
      }
      position = page.position;
      if (page.events.length === 0 && !stop.aborted) await nextAppend(stop);
    }
  }

  // Kept as JSON, as PostgreSQL's jsonb keeps them: what comes out is what a JSON round trip leaves.
  const snapshots = new Map<string, { revision: number; json: string }>();
  const snapshotStore: SnapshotStore = {
    async readFromSnapshot(streamId, key) {
      const kept = snapshots.get(JSON.stringify([streamId, key]));
      const snapshot = kept ? (JSON.parse(kept.json) as StreamSnapshot) : null;
      return { snapshot, events: structuredClone((streams.get(streamId) ?? []).slice(snapshot ? snapshot.revision + 1 : 0)) };
    },
    async saveSnapshot(streamId, key, snapshot) {
      if (!Number.isSafeInteger(snapshot.revision) || snapshot.revision < 0) throw new RangeError(`a snapshot's revision is a revision (0 or more), got ${snapshot.revision}`);
      const id = JSON.stringify([streamId, key]);
      if ((snapshots.get(id)?.revision ?? -1) > snapshot.revision) return;
      snapshots.set(id, { revision: snapshot.revision, json: JSON.stringify(snapshot) });
    },
  };

  return {
    append,
    ...(options.snapshots === false ? {} : { snapshots: snapshotStore }),
    readStream: async (streamId, fromRevision = 0) => structuredClone((streams.get(streamId) ?? []).slice(fromRevision)),
    readAll,
    subscribe,
    headPosition: async () => headPosition(),
    // Appends land in the log at once: nothing is ever in flight behind the head.
    lastCommittedPosition: async () => headPosition(),
    onAppend: (listener) => {
      const call = () => listener();
      listeners.add(call);
      return () => listeners.delete(call);
    },
    close: async () => closed.abort(),
  };
};
