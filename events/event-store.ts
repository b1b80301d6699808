import type { NewEvent, RecordedEvent } from './envelope.js';
import type { Position } from './position.js';
import type { SnapshotStore } from './snapshot-store.js';

// The event store port. Its adapters are PostgreSQL (postgres/, beside this file, the default) and
// EventStoreDB (eventstoredb/, when EVENTSTORE_URL is set); both run the contract suite in
// test/integration/event-store.contract.ts, as any other must.

/**
 * What the appender believes about the stream: its last revision (0-based), that it does not
 * exist yet, that it exists, or no belief at all.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

/** Whether a stream whose last revision is `last` (-1: no stream) meets `expected`. */
export const meetsExpectation = (expected: ExpectedRevision, last: number): boolean => {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return last === -1;
  if (expected === 'stream_exists') return last >= 0;
  return expected === last;
};

/**
 * A stream a decision rests on besides the one it appends to (the caller's account, for a new
 * post): the append commits only while that stream's last revision is still `revision`, else it
 * throws ConcurrencyError and appends nothing, as a wrong expectation does. So a fact read from
 * another stream earlier (even kept in memory from an earlier command) is as good as one read in
 * the same transaction, without reading it again (commands/registered-actor.ts).
 */
export interface StreamGuard {
  streamId: string;
  revision: number;
}

export interface AppendOptions {
  guards?: readonly StreamGuard[];
}

export interface AppendResult {
  /** Revision of the last event appended (0 for the first event of a stream). */
  nextRevision: number;
  /** Global position of the last event appended. */
  position: Position;
}

/** Restricts global-log reads; an event passes when it matches every given criterion. */
export interface EventFilter {
  types?: readonly string[];
  streamPrefixes?: readonly string[];
}

/** The filter's rule, for adapters that apply it in process (EventStoreDB's readAll, the in-memory store). */
export const matchesFilter = (event: { type: string; streamId: string }, filter: EventFilter | undefined): boolean =>
  (!filter?.types || filter.types.includes(event.type)) &&
  (!filter?.streamPrefixes || filter.streamPrefixes.some((prefix) => event.streamId.startsWith(prefix)));

export interface ReadAllResult {
  events: RecordedEvent[];
  /**
   * Where to continue reading: the position of the last event returned, or, when a filter
   * skipped events, possibly further along, so that checkpoints move past filtered stretches.
   */
  position: Position;
}

export interface SubscribeOptions {
  filter?: EventFilter;
  signal?: AbortSignal;
}

export interface EventStore {
  /**
   * Appends atomically; a wrong `expected`, or a guard (StreamGuard) whose stream moved on, throws
   * ConcurrencyError and appends nothing. A wrapper of a store passes `options` on.
   */
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /** The stream's events in revision order, from `fromRevision` (inclusive), upcast. */
  readStream(streamId: string, fromRevision?: number): Promise<RecordedEvent[]>;
  /** Up to `max` events of the global log strictly after `from`, in log order, upcast. */
  readAll(from: Position, max: number, filter?: EventFilter): Promise<ReadAllResult>;
  /** Catch-up then live: every event after `from`, in log order, until the signal aborts. */
  subscribe(from: Position, options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** Position of the last event a global-log reader can see now (START when empty). */
  headPosition(): Promise<Position>;
  /**
   * Position of the last event committed (START when empty): at or after every position an
   * append has returned, whereas headPosition() can lag one while an older transaction is still
   * in flight. A position past it is not in the log (yet): nobody was handed it.
   */
  lastCommittedPosition(): Promise<Position>;
  /**
   * Optional accelerator: calls `listener` soon after events are appended (here or, where the
   * adapter can tell, in other processes). Hints only: a call may be late, spurious or missed,
   * so readers still poll. Returns the unsubscribe function.
   */
  onAppend?(listener: () => void): () => void;
  /** Optional accelerator: stream snapshots (snapshot-store.ts), which the write side reads when offered. */
  snapshots?: SnapshotStore;
  close(): Promise<void>;
}

export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream' | 'unknown',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}
