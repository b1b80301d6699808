import type { EventType, Position, RecordedEvent } from '../../events/index.js';

// A projection turns the global log into one read model. The runtime (runner.ts) reads the log
// from the projection's checkpoint in batches and hands them over; the projection writes its
// read model and stores the checkpoint after the batch's writes (in PostgreSQL, in the same
// transaction). Every write is idempotent, so a batch applied twice (a crash between the writes
// and the checkpoint) changes nothing, and a read model never depends on the order of events
// from different streams: that is what lets several instances share one projection by stream.

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
}

/**
 * The `default` of a projection's `switch (event.type)` over the events it subscribes to: it only
 * compiles when every subscribed type has its case (and a case for a type not subscribed does not
 * compile either), so the subscription list and the switch cannot drift apart.
 */
export const everyTypeHandled = (_event: never): void => undefined;
