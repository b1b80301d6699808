import type pg from 'pg';
import type { EventStore, EventType, RecordedEvent } from '../../events/index.js';
import { forEachBounded } from '../../projections/feed/bounded.js';
import { ensureCheckpointTable, loadCheckpoint, saveCheckpoint } from '../../projections/runtime/checkpoints-postgres.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { startProjector, type ProjectorErrorContext, type ProjectorHandle, type ProjectorOptions } from '../../projections/runtime/runner.js';

// A log reactor (docs/architecture.md "Media"): it follows the global log from a checkpoint of its
// own, as a projection does, but what it does with an event is a side effect outside the read
// models (processing a file, deleting objects, issuing a command). It runs on the projector
// runtime (projections/runtime/runner.ts: batches, backoff, lag), and differs from a projection in
// two ways:
//   - it is never rebuilt: it is not in the read-model catalogue (app/read-models.ts), so the replay
//     CLI neither sees it nor resets its checkpoint, and its effects happen once per event appended;
//   - the checkpoint moves only after every side effect of the batch has succeeded (at-least-once):
//     a crash in between reacts to the batch again, so every reaction must be idempotent.
// Events of one stream are reacted to in log order; different streams at once, up to `concurrency`.

export interface Reactor {
  /** The checkpoint key (prefixed `reactor:`, so that it never meets a read model's name). */
  readonly name: string;
  readonly eventTypes: readonly EventType[];
  /** The side effect of one event. Throwing fails the batch, which is retried after a backoff. */
  react(event: RecordedEvent): Promise<void>;
}

export interface ReactorOptions {
  /** Streams reacted to at once within a batch (default 1). */
  concurrency?: number;
  /** Events per batch (default 50: a checkpoint after at most that many side effects). */
  batchSize?: number;
  pollIntervalMs?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  onError?: (error: unknown, context: ProjectorErrorContext) => void;
  /** Where an event whose reaction keeps failing is parked, under `reactor:<name>` (docs/architecture.md "Parked events"). */
  parking?: ProjectorOptions['parking'];
}

export const reactorCheckpointKey = (name: string) => `reactor:${name}`;

/** The reactor as a Projection the runner can follow: side effects first, then the checkpoint. */
export const reactorProjection = (pool: pg.Pool, reactor: Reactor, concurrency = 1): Projection => ({
  name: reactorCheckpointKey(reactor.name),
  eventTypes: reactor.eventTypes,
  setup: () => ensureCheckpointTable(pool),
  async apply(batch, checkpointKey) {
    // A reactor is never rebuilt; should one ever be handed a replay, it has no side effect to make.
    if (!batch.replay) await reactToBatch(reactor, batch.events, concurrency);
    await saveCheckpoint(pool, checkpointKey, batch.position);
  },
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});

const reactToBatch = async (reactor: Reactor, events: readonly RecordedEvent[], concurrency: number) => {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const list = byStream.get(event.streamId);
    if (list) list.push(event);
    else byStream.set(event.streamId, [event]);
  }
  await forEachBounded(byStream.values(), concurrency, async (streamEvents) => {
    for (const event of streamEvents) await reactor.react(event);
  });
};

export const startReactor = (store: EventStore, pool: pg.Pool, reactor: Reactor, options: ReactorOptions = {}): ProjectorHandle =>
  startProjector(store, reactorProjection(pool, reactor, options.concurrency ?? 1), {
    batchSize: options.batchSize ?? 50,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.parking ? { parking: options.parking } : {}),
    onError:
      options.onError ??
      ((error, context) => console.error(`[reactor ${reactor.name}] attempt ${context.attempt} failed; retrying in ${context.retryInMs} ms`, error)),
  });
