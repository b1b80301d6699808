import type { EventType, Position, RecordedEvent } from '../../events/index.js';

// A projection turns the global log into one read model. The runtime (runner.ts) reads the log
// from the projection's checkpoint in batches and hands them over; the projection writes its
// read model and stores the checkpoint after the batch's writes (in PostgreSQL, in the same
// transaction). Every write is idempotent, so a batch applied twice (a crash between the writes
// and the checkpoint) changes nothing, and a read model never depends on the order of events
// from different streams: that is what lets several instances share one projection by stream.
//
// Two shapes, and every projection is one of them. Copy the one that fits a new read model:
//
// (a) HANDLERS OVER A STORE PORT (feed: feed-projection.ts, feed-handlers.ts). A `switch` sends
//     each event to a handler of a few lines that calls the store's verbs (addToTimeline,
//     pushToFeeds, ...); the store port has adapters for several backends (Redis, PostgreSQL).
//     The checkpoint is saved in PostgreSQL AFTER the batch's writes, never with them: the
//     handlers need each write committed before the read that follows it (a handshake between
//     streams), and a Redis store has no transaction to share. A crash in between re-applies the
//     batch, which the idempotent verbs absorb. Copy it when an event's effect depends on what
//     other streams wrote (reads between writes), when writes fan out, or when the event has an
//     outside side effect of its own.
//
// (b) FOLD A BATCH, THEN WRITE IT IN BULK (profiles, notifications, stories, search). A pure fold
//     turns the batch into one change per row, in memory (profiles and search-postgres:
//     batch-changes.ts, last-writer-wins registers by stream revision; notifications:
//     batch-facts.ts; stories: story-facts.ts), and the writer puts each table's share in one
//     statement (bulk-upsert.ts). In PostgreSQL the writes and the checkpoint are ONE
//     transaction (applyInTransaction): both land or neither. A store without transactions
//     (Redis for stories, Elasticsearch for search) writes the batch, then saves the checkpoint
//     in PostgreSQL, as in (a). Search folds inside each adapter, because what guards a write
//     differs by backend: registers by stream revision in PostgreSQL, whole documents with
//     external versions by global position in Elasticsearch (search/elasticsearch/docs.ts).
//     Copy it when each row is written by one stream's events and the result does not depend
//     on reading other streams' rows between writes: it is the fast path for rebuilds.
//
// Either way, a projection's `switch` over its events ends in `everyTypeHandled`, so that its
// subscription list (`eventTypes`) and its switch are kept in step by the compiler.

export interface ProjectionBatch {
  /** The batch's events, in log order (only the types the projection handles). */
  events: readonly RecordedEvent[];
  /** Where the log was read up to: the checkpoint to store with this batch. */
  position: Position;
  /** True while rebuilding from the log: side effects (notifications, pushes) must not fire. */
  replay: boolean;
}

export interface Projection {
  /** Stable name: the checkpoint key, and what operators and the replay CLI call it. */
  readonly name: string;
  /** The event types it reads; others never reach it (yet still move its checkpoint on). */
  readonly eventTypes: readonly EventType[];
  /** Creates its tables, indexes or templates; idempotent, safe to run at every start. */
  setup(): Promise<void>;
  /**
   * Applies a batch, then stores `batch.position` as the checkpoint under `checkpointKey` (the
   * projection's name, or name + partition for one of several instances).
   */
  apply(batch: ProjectionBatch, checkpointKey: string): Promise<void>;
  /** The checkpoint stored under `checkpointKey`; START when none. */
  checkpoint(checkpointKey: string): Promise<Position>;
  /**
   * For a store that can lose its data behind the checkpoint's back (Redis: redis-epoch.ts):
   * checks that it still holds what the checkpoint says, and when it does not, resets the read
   * model (data and checkpoint) so that it is rebuilt from START. True when the checkpoint under
   * `checkpointKey` may have changed and must be read again. The runner calls it before the first
   * batch, after a failure, and about once a second while it runs.
   */
  verify?(checkpointKey: string): Promise<boolean>;
}

/**
 * The `default` of a projection's `switch (event.type)` over the events it subscribes to: it only
 * compiles when every subscribed type has its case (and a case for a type not subscribed does not
 * compile either), so the subscription list and the switch cannot drift apart.
 */
export const everyTypeHandled = (_event: never): void => undefined;
