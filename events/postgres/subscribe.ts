import type { RecordedEvent } from '../envelope.js';
import type { EventFilter, ReadAllResult } from '../event-store.js';
import type { Position } from '../position.js';
import type { NotificationListener } from './notification-listener.js';

export interface SubscriptionDeps {
  readAll(from: Position, max: number, filter?: EventFilter): Promise<ReadAllResult>;
  listener: NotificationListener;
  pollIntervalMs: number;
  batchSize: number;
  /** Aborted when the store closes: every subscription then ends too. */
  storeClosed: AbortSignal;
}

/**
 * Catch-up and live are the same loop: read a batch after the last position, hand its events
 * out, and when the log is drained wait for a notification or the poll interval. Because every
 * read goes through readAll's gap-free horizon, each event comes out exactly once, in log order.
 * A failing read ends the iteration with its error; the caller resumes from its checkpoint.
 */
export async function* subscribeToAll(
  deps: SubscriptionDeps,
  from: Position,
  filter: EventFilter | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<RecordedEvent> {
  const stop = signal ? AbortSignal.any([signal, deps.storeClosed]) : deps.storeClosed;
  let position = from;
  while (!stop.aborted) {
    deps.listener.ensureListening();
    const ringsBeforeRead = deps.listener.rings;
    const batch = await deps.readAll(position, deps.batchSize, filter);
    for (const event of batch.events) {
      if (stop.aborted) return;
      yield event;
    }
    position = batch.position;
    // A full batch may have more behind it; a notification during the read may mean more too.
    if (batch.events.length === deps.batchSize || deps.listener.rings !== ringsBeforeRead) continue;
    await deps.listener.wait(deps.pollIntervalMs, stop);
  }
}
