import { Kafka, logLevel, type Admin } from 'kafkajs';
import { fetchConsumerLag, type ConsumerGroupTopic, type PartitionLag } from '../projections/feed/consumer-lag.js';

// Per-partition lag of the platform's Kafka consumer groups (the fan-out workers', the media
// processing consumers'), for /metrics (kafka_consumer_lag): for each partition, the messages
// between the group's committed offset and the partition's end. A group that has committed
// nothing on a partition consumes it from the beginning (fromBeginning), so its lag there counts
// from the oldest message the broker keeps. Read from the brokers every few seconds by the
// process that runs the consumers, so a scrape costs no round trip; a poll that fails (the
// brokers away) leaves the last figures in place until one succeeds.

export type { ConsumerGroupTopic, PartitionLag } from '../projections/feed/consumer-lag.js';

export interface ConsumerLagWatch {
  /** The figures of the last successful poll of each group. */
  current(): PartitionLag[];
  /** Polls now (the first poll also runs at start); resolves when done, whether it succeeded or not. */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/** Polls the lag of `groups` every `intervalMs` (default 5 s) until stopped. */
export const watchConsumerLag = (brokers: string[], groups: ConsumerGroupTopic[], intervalMs = 5_000): ConsumerLagWatch => {
  const kafka = new Kafka({ clientId: 'instagram-es-lag', brokers, connectionTimeout: 3_000, logLevel: logLevel.NOTHING });
  let admin: Admin | null = null;
  const lags = new Map<string, PartitionLag[]>();
  let polling: Promise<void> = Promise.resolve();
  /**
   * A poll that fails drops the admin client: kafkajs's admin keeps the partitions' leaders it
   * was told of for 5 minutes (its metadataMaxAge, not settable), so after a broker of a cluster
   * is lost it would go on asking the dead one; a new client asks the brokers afresh.
   */
  const drop = async () => {
    const old = admin;
    admin = null;
    await old?.disconnect().catch(() => undefined);
  };
  const pollOnce = async () => {
    try {
      if (!admin) {
        const fresh = kafka.admin({ retry: { retries: 1 } });
        await fresh.connect();
        admin = fresh;
      }
      const current = admin;
      // Only topics that exist (a worker not started yet has not created its own): kafkajs's admin
      // keeps every topic it was asked about in its metadata requests, and one unknown topic would
      // fail them all from then on.
      const existing = new Set(await current.listTopics());
      await Promise.all(
        groups
          .filter(({ topic }) => existing.has(topic))
          .map(async (group) => lags.set(`${group.group}\u0000${group.topic}`, await fetchConsumerLag(current, group))),
      );
    } catch {
      await drop(); // the last figures stay until a poll succeeds
    }
  };
  const poll = () => (polling = polling.then(pollOnce));
  void poll();
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    current: () => [...lags.values()].flat(),
    poll,
    async stop() {
      clearInterval(timer);
      await polling;
      await drop();
    },
  };
};
