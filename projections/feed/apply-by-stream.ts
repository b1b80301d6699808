import type { RecordedEvent } from '../../events/index.js';

/**
 * Applies a batch with up to `concurrency` streams at a time, each stream's events in log order.
 * Only a read model that never depends on the order of events from different streams may do
 * this; the feed does not (that is also what lets instances split it by stream).
 */
export const applyByStream = async (
  events: readonly RecordedEvent[],
  concurrency: number,
  apply: (event: RecordedEvent) => Promise<void>,
): Promise<void> => {
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const stream = byStream.get(event.streamId);
    if (stream) stream.push(event);
    else byStream.set(event.streamId, [event]);
  }
  const queue = [...byStream.values()];
  // After a failure the other workers stop taking streams, so the batch ends (and can be
  // retried) without writes still trickling in behind it.
  let failed = false;
  const worker = async () => {
    for (let stream = queue.shift(); stream && !failed; stream = queue.shift()) {
      try {
        for (const event of stream) await apply(event);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
};
