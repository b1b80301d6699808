import type { Kafka } from 'kafkajs';
import type { FanOutChunk } from './fan-out.js';
import { ensureFanOutTopic, heartbeatIntervalFor, startJobConsumer, type FanOutTopic } from './fan-out-topic.js';
import type { ParkedMessage } from '../runtime/parked-events.js';

// The fan-out workers (role `worker`): one Kafka consumer group over the fan-out topic, each
// member taking some partitions. A message is applied (deliverFanOutChunk) before its offset
// is committed, so a worker that dies mid-batch leaves its uncommitted chunks to the member that
// takes its partitions over: at-least-once, and a chunk applied twice changes nothing (feed
// writes are set additions scored by the post's time). With `parking`, a chunk that still fails
// after `afterAttempts` deliveries, for a reason that is not a backend being away, is parked
// (projection name `fan-out-workers`, docs/architecture.md "Parked events") and committed past,
// so that it does not hold its partition for ever.

/** The name fan-out chunks are parked under. */
export const FAN_OUT_WORKERS = 'fan-out-workers';

export interface FanOutWorkersOptions extends FanOutTopic {
  groupId: string;
  /** Writes one chunk into the feeds; throwing leaves it uncommitted, to be retried. */
  deliver(chunk: FanOutChunk): Promise<void>;
  /** After this long without a heartbeat, a worker's partitions go to the others (default 30 s). */
  sessionTimeoutMs?: number;
  /** Partitions this process works on at once (default: every one it holds, up to the topic's). */
  concurrency?: number;
  parking?: {
    lot: { parkMessage(projection: string, message: ParkedMessage, error: unknown, attempts: number): Promise<void> };
    afterAttempts?: number;
    isTransient?: (error: unknown) => boolean;
  };
}

export interface FanOutWorkers {
  stop(): Promise<void>;
}

const parseChunk = (value: Buffer | null): FanOutChunk | null => {
  try {
    const chunk = JSON.parse(value?.toString('utf8') ?? 'null') as FanOutChunk | null;
    return chunk && Array.isArray(chunk.followerIds) && typeof chunk.postId === 'string' ? chunk : null;
  } catch {
    return null;
  }
};

/** Joins the group and consumes until stopped; resolves once the consumer is running. */
export const startFanOutWorkers = async (kafka: Kafka, options: FanOutWorkersOptions): Promise<FanOutWorkers> => {
  await ensureFanOutTopic(kafka, options);
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  /** Failed deliveries per message (topic/partition@offset), while it is retried. */
  const attempts = new Map<string, number>();
  // A crashed consumer (the broker went away) restarts and rejoins, however long that takes.
  return startJobConsumer(kafka, {
    label: 'fan-out workers',
    groupId: options.groupId,
    topic: options.topic,
    sessionTimeout,
    heartbeatInterval: heartbeatIntervalFor(sessionTimeout),
    concurrency: options.concurrency ?? options.partitions,
    // Offsets are committed only for messages whose eachMessage resolved: after the writes.
    eachMessage: async ({ topic, partition, message }) => {
      const chunk = parseChunk(message.value);
      // A message that is not a chunk is skipped rather than blocking its partition for ever.
      if (!chunk) return;
      const id = `${topic}/${partition}@${message.offset}`;
      try {
        await options.deliver(chunk);
        attempts.delete(id);
      } catch (error) {
        const { parking } = options;
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        if (!parking || (parking.isTransient?.(error) ?? false) || attempt < (parking.afterAttempts ?? 5)) throw error;
        await parking.lot.parkMessage(FAN_OUT_WORKERS, { id, position: id, type: 'FanOutChunk', payload: chunk }, error, attempt);
        attempts.delete(id);
        console.error(`[fan-out workers] parked chunk ${id} of post ${chunk.postId}`, error);
      }
    },
  });
};
