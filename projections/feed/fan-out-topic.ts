import type { Kafka } from 'kafkajs';

// The fan-out topic: its partitions bound how many workers share the work (one consumer per
// partition at most), and its replication how many brokers may fail (docs/architecture.md "Processes": scale-out by the
// engines). Created by whoever starts first, producer or worker; an existing topic is left as it is.
export interface FanOutTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
}

export const ensureFanOutTopic = async (kafka: Kafka, { topic, partitions, replicationFactor }: FanOutTopic): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Resolves false when the topic exists already (kafkajs swallows TOPIC_ALREADY_EXISTS).
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true });
  } catch (error) {
    // Two processes creating it at once: the loser is told it exists, which is all it wanted.
    if (!isAlreadyExists(error)) throw error;
  } finally {
    await admin.disconnect();
  }
};

const isAlreadyExists = (error: unknown) => {
  const errors = (error as { errors?: { type?: string }[] }).errors ?? [];
  return errors.length > 0 && errors.every((inner) => inner.type === 'TOPIC_ALREADY_EXISTS');
};
