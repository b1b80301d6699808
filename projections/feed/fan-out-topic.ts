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
 * How much one produce call carries at most: the messages waiting while the previous call was in
 * flight go together, up to this many bytes of values (a partition's share must stay under the
 * broker's 1 MB `message.max.bytes`) and this many messages.
 */
export const PRODUCE_CALL_LIMITS = { bytes: 512 * 1024, messages: 500 };

interface Waiting {
  key: string;
  value: string;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Takes, from the front of `queue`, the messages of the next produce call: at least one, then as
 * many as fit in `limits`.
 */
export const nextProduceCall = <T extends { value: string }>(queue: T[], limits = PRODUCE_CALL_LIMITS): T[] => {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < limits.messages) {
    const size = Buffer.byteLength(queue[count]!.value);
    if (count > 0 && bytes + size > limits.bytes) break;
    bytes += size;
    count++;
  }
  return queue.splice(0, count);
};

/**
 * The producer of a job topic (feed fan-out, media processing): the topic is ensured and the
 * producer connected on first use, and again after a failed attempt (the broker was down). A send
 * given up on (the broker stayed away past the retries) drops the connection, so that the
 * caller's retry of its batch gets a producer connected afresh.
 *
 * One produce call in flight at a time; what callers send meanwhile waits and goes in the next
 * call, together. kafkajs's idempotent producer numbers a partition's messages when it builds a
 * request and takes the numbers back when the request fails: with calls in flight side by side (the
 * fan-out publishes FANOUT_CONCURRENCY chunks at once, the processing reactor its batch's jobs), a
 * leader lost mid-call made a later call reuse the number of a message the dead leader had
 * written and replicated, and the new leader answered that call "duplicate", as a success, without
 * writing it. The chunk was acknowledged and never delivered: a few followers of a post fanned out
 * across the loss of a broker never got it (test/e2e/kafka-broker-failure.test.ts, about one run
 * in four). tulios/kafkajs#1005 is the same loss without a failure.
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
  const queue: Waiting[] = [];
  let sending = false;
  const produce = async (messages: Waiting[]) => {
    const current = await connected();
    try {
      await current.send({ topic: topic.topic, acks: -1, messages: messages.map(({ key, value }) => ({ key, value })) });
    } catch (error) {
      if (ready !== null && producer === current) ready = null;
      void current.disconnect().catch(() => undefined);
      throw error;
    }
  };
  const drain = async () => {
    sending = true;
    try {
      while (queue.length > 0) {
        const messages = nextProduceCall(queue);
        await produce(messages).then(
          () => messages.forEach((waiting) => waiting.resolve()),
          (error: unknown) => messages.forEach((waiting) => waiting.reject(error)),
        );
      }
    } finally {
      sending = false;
    }
  };
  return {
    send(key, message) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ key, value: JSON.stringify(message), resolve, reject });
        if (!sending) void drain();
      });
    },
    async close() {
      ready = null;
      await producer?.disconnect();
    },
  };
};
