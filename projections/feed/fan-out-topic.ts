import { Partitioners, type Admin, type Consumer, type EachMessagePayload, type Kafka, type Producer } from 'kafkajs';

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
 * How long commits may keep failing, with finished messages waiting to be committed, before the
 * consumer is started afresh (disconnected, and a new one connected, subscribed and run).
 * kafkajs keeps, for its commits and heartbeats, the group coordinator it found at the join: once
 * that broker is lost every commit fails ("Broker 1 not found in the cached metadata") and the
 * group's lag stays up, until kafkajs's runner has used up its retries and restarts the consumer,
 * a minute or more later (test/e2e/kafka-broker-failure.test.ts saw the media group's lag stay at
 * the 14 jobs processed after the kill). A new consumer asks for the coordinator again. 20 s: four
 * recommit rounds, past the failures of an ordinary rebalance (REBALANCE_IN_PROGRESS until the
 * members have joined again, seconds), and far below kafkajs's own minute.
 */
export const COMMIT_STALL_RESTART_MS = 20_000;
/**
 * A job consumer's heartbeat interval for its session timeout: a tenth of it (Kafka's advice for
 * heartbeat.interval.ms is at most a third), so that a few lost beats do not end the session; at least 500 ms.
 */
export const heartbeatIntervalFor = (sessionTimeoutMs: number): number => Math.max(500, Math.floor(sessionTimeoutMs / 10));
/** How often what the consumer finished is committed again (see recommitFinished). */
export const RECOMMIT_INTERVAL_MS = 5_000;

/** Whether commits failing since `failingSince` (null: the last one succeeded) call for a new consumer at `now`. */
export const commitStalled = (failingSince: number | null, now: number, stalledAfterMs = COMMIT_STALL_RESTART_MS): boolean =>
  failingSince !== null && now - failingSince >= stalledAfterMs;

/**
 * Commits again, every few seconds, the offsets of what the consumer finished that the broker may
 * not have. kafkajs commits at the end of each batch and tries no more when that commit fails (the
 * group's coordinator was on the broker just lost): with nothing more to fetch, the partition's
 * last messages stayed uncommitted, its lag above zero, until the next message or the next
 * rebalance redelivered them (test/e2e/kafka-broker-failure.test.ts). A commit of a partition
 * this member no longer holds is refused by the broker (another generation), so it moves nothing
 * back; a join forgets the partitions it did not keep. When the commits have failed for
 * `stalledAfterMs` with offsets waiting, `onStalled` is called (once).
 */
export const recommitFinished = (
  consumer: Consumer,
  { intervalMs = RECOMMIT_INTERVAL_MS, stalledAfterMs = COMMIT_STALL_RESTART_MS, onStalled = () => undefined }: { intervalMs?: number; stalledAfterMs?: number; onStalled?: () => void } = {},
) => {
  /** The next offset to read, per topic and partition: the last finished message's plus one. */
  const finished = new Map<string, { topic: string; partition: number; offset: string }>();
  let failingSince: number | null = null;
  let stalled = false;
  const removeJoinListener = consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const [key, { topic, partition }] of finished) if (!(payload.memberAssignment[topic] ?? []).includes(partition)) finished.delete(key);
  });
  const timer = setInterval(() => {
    const offsets = [...finished.values()];
    finished.clear();
    if (offsets.length === 0) return;
    consumer.commitOffsets(offsets).then(
      () => (failingSince = null),
      () => {
        // Not committed: keep them for the next try, unless a later message has replaced them.
        for (const entry of offsets) {
          const key = `${entry.topic}/${entry.partition}`;
          if (!finished.has(key)) finished.set(key, entry);
        }
        failingSince ??= Date.now();
        if (!stalled && commitStalled(failingSince, Date.now(), stalledAfterMs)) {
          stalled = true;
          onStalled();
        }
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    finished(topic: string, partition: number, offset: string) {
      finished.set(`${topic}/${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    },
    stop() {
      clearInterval(timer);
      removeJoinListener();
    },
  };
};

/** Consumers started afresh by the commit-stall watchdog, per group, since the process started (kafka_consumer_restarts_total). */
const restartsByGroup = new Map<string, number>();
export const consumerRestarts = (): ReadonlyMap<string, number> => restartsByGroup;

export interface JobConsumerOptions {
  /** Names the consumer in the log: 'fan-out workers', 'media workers'. */
  label: string;
  groupId: string;
  topic: string;
  sessionTimeout: number;
  heartbeatInterval: number;
  /** Partitions worked on at once. */
  concurrency: number;
  /** One message; resolving marks it finished (committed after), throwing leaves it to be fetched again. */
  eachMessage(payload: EachMessagePayload): Promise<void>;
}

/**
 * A consumer of a job topic (fan-out chunks, processing jobs), as the two groups of workers share
 * it: from the beginning, `CLUSTER_AWARE_CONSUMER`, offsets committed after `eachMessage` resolves
 * (and again by recommitFinished), and started afresh when its commits have failed for
 * COMMIT_STALL_RESTART_MS (logged at warn, counted in consumerRestarts). What it had finished and
 * not committed is delivered again to the new one: at-least-once, as the writes expect.
 */
export const startJobConsumer = async (kafka: Kafka, options: JobConsumerOptions): Promise<{ stop(): Promise<void> }> => {
  const { label, groupId, topic } = options;
  let stopped = false;
  let current: { consumer: Consumer; recommit: ReturnType<typeof recommitFinished> } | null = null;
  let restarting: Promise<void> | null = null;
  const open = async () => {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: options.sessionTimeout,
      heartbeatInterval: options.heartbeatInterval,
      allowAutoTopicCreation: false,
      ...CLUSTER_AWARE_CONSUMER,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      console.error(`[${label}] consumer crashed (${payload.error.message}); ${payload.restart ? 'restarting' : 'stopped'}`),
    );
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const recommit = recommitFinished(consumer, { onStalled: () => void restart() });
    await consumer.run({
      partitionsConsumedConcurrently: options.concurrency,
      autoCommit: true,
      eachMessage: async (payload) => {
        await options.eachMessage(payload);
        recommit.finished(payload.topic, payload.partition, payload.message.offset);
      },
    });
    return { consumer, recommit };
  };
  const close = async (running: NonNullable<typeof current>) => {
    running.recommit.stop();
    await running.consumer.disconnect().catch(() => undefined);
  };
  const restart = () =>
    (restarting ??= (async () => {
      console.warn(`[${label}] commits of group ${groupId} have failed for ${COMMIT_STALL_RESTART_MS / 1000} s with finished messages waiting; starting the consumer afresh`);
      restartsByGroup.set(groupId, (restartsByGroup.get(groupId) ?? 0) + 1);
      const old = current;
      current = null;
      if (old) await close(old);
      while (!stopped) {
        try {
          current = await open();
          if (stopped) await close(current);
          return;
        } catch (error) {
          console.error(`[${label}] could not start the consumer again (${(error as Error).message}); retrying in 5 s`);
          await new Promise((resolve) => setTimeout(resolve, 5_000));
        }
      }
    })().finally(() => (restarting = null)));
  current = await open();
  return {
    async stop() {
      stopped = true;
      await restarting;
      if (current) await close(current);
    },
  };
};

/** Sends keyed JSON messages to one topic, at least once (`acks=all`, retried), connecting on first use. */
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
 * call, together (the fan-out publishes FANOUT_CONCURRENCY chunks at once, the processing reactor
 * its batch's jobs). Both this and the producer's settings below come from the loss of a broker
 * (test/e2e/kafka-broker-failure.test.ts, about one run in four): kafkajs's idempotent producer
 * numbers a partition's messages when it builds a request and takes the numbers back when the
 * request fails, and a retried chunk went out under a number the dead leader had already written
 * and replicated; the new leader answered "duplicate", as a success, without writing it, so the
 * chunk was acknowledged and never delivered (tulios/kafkajs#1005 is the same loss without a
 * failure). One call in flight made that rarer; only leaving the idempotence out ended it.
 */
export const createTopicProducer = (kafka: Kafka, topic: FanOutTopic): TopicProducer => {
  let producer: Producer | null = null;
  let ready: Promise<Producer> | null = null;
  const connect = async () => {
    await ensureFanOutTopic(kafka, topic);
    // Not kafkajs's idempotent producer: its sequence numbers are what a leader change turned into
    // acknowledged-but-dropped messages (above). Without them, a send retried across a broker's loss
    // may be written twice, never dropped; every consumer of a job topic is idempotent (a chunk's
    // inserts, a media item's one MediaProcessed), so a duplicate changes nothing.
    producer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
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
