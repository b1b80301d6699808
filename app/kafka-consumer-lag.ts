import { Kafka, logLevel } from 'kafkajs';
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
  const admin = kafka.admin({ retry: { retries: 1 } });
  let connected: Promise<void> | null = null;
  const lags = new Map<string, PartitionLag[]>();
  let polling: Promise<void> = Promise.resolve();
  const pollOnce = async () => {
    try {
      await (connected ??= admin.connect().catch((error: unknown) => ((connected = null), Promise.reject(error))));
    } catch {
      return; // the brokers away: the last figures stay
    }
    // Only topics that exist (a worker not started yet has not created its own): kafkajs's admin
    // keeps every topic it was asked about in its metadata requests, and one unknown topic would
    // fail them all from then on.
    const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
    await Promise.all(
      groups
        .filter(({ topic }) => existing.has(topic))
        .map(async (group) => {
          const lag = await fetchConsumerLag(admin, group).catch(() => null);
          if (lag) lags.set(`${group.group}\u0000${group.topic}`, lag);
        }),
    );
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
      await admin.disconnect().catch(() => undefined);
    },
  };
};
