import type { Kafka } from 'kafkajs';
import type { FanOut, FanOutChunk } from './fan-out.js';
import { createTopicProducer, type FanOutTopic } from './fan-out-topic.js';

// The Kafka adapter of the FanOut port (docs/architecture.md "Projections"): a chunk becomes one message on the fan-out
// topic, for the workers (fan-out-workers.ts) to write into feeds. `publish` resolves once the
// broker has the message on every in-sync replica (acks all), so the projection moves its
// checkpoint only past fan-out that cannot be lost. A send retried by the producer may write a
// message twice (it is not kafkajs's idempotent producer: fan-out-topic.ts says why), and a batch
// the projection retries publishes its chunks again; the workers' idempotent writes absorb both.

export interface KafkaFanOut extends FanOut {
  close(): Promise<void>;
}

/**
 * Keyed by post and first follower: every chunk of a post has its own key (so a post's chunks
 * spread over the partitions, and so over the workers), and the same chunk published again after
 * a retry gets the same key, and the same partition.
 */
export const chunkKey = (chunk: FanOutChunk) => `${chunk.postId}:${chunk.followerIds[0] ?? ''}`;

export const createKafkaFanOut = (kafka: Kafka, topic: FanOutTopic): KafkaFanOut => {
  const producer = createTopicProducer(kafka, topic);
  return {
    async publish(chunk) {
      if (chunk.followerIds.length === 0) return;
      await producer.send(chunkKey(chunk), chunk);
    },
    close: () => producer.close(),
  };
};
