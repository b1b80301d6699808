import { Partitioners, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';

// The fan-out topic: its partitions bound how many workers share the work (one consumer per
// partition at most), and its replication how many brokers may fail (docs/architecture.md "Processes": scale-out by the
// engines). Created by whoever starts first, producer or worker; an existing topic is left as it is.
export interface FanOutTopic {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /**
   * Replicas that must hold a message before the broker acknowledges it (the producers send with
   * acks=all); fewer in sync and the partition refuses writes rather than risk losing one.
   * Unset: the broker's default.
   */
  minInsyncReplicas?: number;
}

export const ensureFanOutTopic = async (kafka: Kafka, { topic, partitions, replicationFactor, minInsyncReplicas }: FanOutTopic): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configEntries = minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }];
    // Resolves false when the topic exists already (kafkajs swallows TOPIC_ALREADY_EXISTS).
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries }], waitForLeaders: false }).catch((error: unknown) => {
      // Two processes creating it at once: the loser is told it exists, which is all it wanted.
      if (!isAlreadyExists(error)) throw error;
    });
    await waitForLeaders(admin, topic);
  } finally {
    await admin.disconnect();
  }
};

/**
 * Until every partition of the topic has a leader. Not kafkajs's own waitForLeaders: with several
 * brokers, the one it asks may not know a topic just created (UNKNOWN_TOPIC_OR_PARTITION) for a
 * moment, which it does not retry.
 */
const waitForLeaders = async (admin: Admin, topic: string, timeoutMs = 30_000) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin.fetchTopicMetadata({ topics: [topic] }).then(
      ({ topics }) => (topics[0]?.partitions.length ?? 0) > 0 && topics[0]!.partitions.every((partition) => partition.leader >= 0),
      (error: unknown) => {
        if (!isRetriableKafkaError(error) || Date.now() > until) throw error;
        return false;
      },
    );
    if (ready) return;
    if (Date.now() > until) throw new Error(`the partitions of Kafka topic ${topic} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const isRetriableKafkaError = (error: unknown) => (error as { retriable?: boolean }).retriable === true;

const isAlreadyExists = (error: unknown) => {
  const errors = (error as { errors?: { type?: string }[] }).errors ?? [];
  return errors.length > 0 && errors.every((inner) => inner.type === 'TOPIC_ALREADY_EXISTS');
};

/**
 * What the platform's consumers (fan-out workers, media processing consumers) share so that a
 * broker lost from a cluster stalls them for seconds, not minutes. kafkajs refreshes its view of
 * the partitions' leaders only every `metadataMaxAge` (5 minutes by default), and retries a fetch
 * from a dead leader with the view it has, backing off up to 30 s a try: a killed broker's
 * partitions stopped being consumed for minutes after the controller had moved their leadership
 * (test/e2e/kafka-broker-failure.test.ts). With the view at most 3 s old and retries capped at 3 s,
 * the consumer fetches from the new leaders within seconds; past the retries it crashes and is
 * restarted, however long the brokers stay away.
 */
export const CLUSTER_AWARE_CONSUMER = {
  metadataMaxAge: 3_000,
  retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3_000, restartOnFailure: async () => true },
};

/**
 * Commits again, every few seconds, the offsets of what the consumer finished that the broker may
 * not have. kafkajs commits at the end of each batch and tries no more when that commit fails (the
 * group's coordinator was on the broker just lost): with nothing more to fetch, the partition's
 * last messages stayed uncommitted, its lag above zero, until the next message or the next
 * rebalance redelivered them (test/e2e/kafka-broker-failure.test.ts). A commit of a partition
 * this member no longer holds is refused by the broker (another generation), so it moves nothing back.
 */
export const recommitFinished = (consumer: Consumer, intervalMs = 5_000) => {
  /** The next offset to read, per topic and partition: the last finished message's plus one. */
  const finished = new Map<string, { topic: string; partition: number; offset: string }>();
  const timer = setInterval(() => {
    const offsets = [...finished.values()];
    finished.clear();
    if (offsets.length === 0) return;
    consumer.commitOffsets(offsets).catch(() => {
      // Not committed: keep them for the next try, unless a later message has replaced them.
      for (const entry of offsets) {
        const key = `${entry.topic}/${entry.partition}`;
        if (!finished.has(key)) finished.set(key, entry);
      }
    });
  }, intervalMs);
  timer.unref();
  return {
    finished(topic: string, partition: number, offset: string) {
      finished.set(`${topic}/${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    },
    stop() {
      clearInterval(timer);
    },
  };
};

/** Sends keyed JSON messages to one topic, idempotently (`acks=all`), connecting on first use. */
export interface TopicProducer {
  send(key: string, message: unknown): Promise<void>;
  close(): Promise<void>;
}

/**
 * The producer of a job topic (feed fan-out, media processing): the topic is ensured and the
 * producer connected on first use, and again after a failed attempt (the broker was down). A send
 * given up on (the broker stayed away past the retries) drops the connection, so that the
 * caller's retry of its batch gets a producer connected afresh.
 */
export const createTopicProducer = (kafka: Kafka, topic: FanOutTopic): TopicProducer => {
  let producer: Producer | null = null;
  let ready: Promise<Producer> | null = null;
  const connect = async () => {
    await ensureFanOutTopic(kafka, topic);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return producer;
  };
  const connected = () => (ready ??= connect().catch((error: unknown) => ((ready = null), Promise.reject(error))));
  return {
    async send(key, message) {
      const current = await connected();
      try {
        await current.send({ topic: topic.topic, acks: -1, messages: [{ key, value: JSON.stringify(message) }] });
      } catch (error) {
        if (ready !== null && producer === current) ready = null;
        void current.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async close() {
      ready = null;
      await producer?.disconnect();
    },
  };
};
