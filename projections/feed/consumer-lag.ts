import type { Admin } from 'kafkajs';

// A consumer group's lag on each partition of a topic, from the brokers: for /metrics
// (app/kafka-consumer-lag.ts) and for the stall watch of the consumers (consumer-stall.ts).

export interface ConsumerGroupTopic {
  group: string;
  topic: string;
}

export interface PartitionLag extends ConsumerGroupTopic {
  partition: number;
  lag: number;
}

/** The lag of `group` on each partition of `topic`, as the brokers have it now. */
export const fetchConsumerLag = async (admin: Admin, { group, topic }: ConsumerGroupTopic): Promise<PartitionLag[]> => {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: group, topics: [topic] })]);
  const committedOf = new Map((committed?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
  return ends.map(({ partition, low, high }) => {
    const at = committedOf.get(partition) ?? -1;
    // -1: nothing committed yet; the consumer starts at the oldest message kept.
    const from = at >= 0 ? at : Number(low);
    return { group, topic, partition, lag: Math.max(0, Number(high) - from) };
  });
};

