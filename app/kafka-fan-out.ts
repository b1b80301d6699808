import { Kafka, logLevel } from 'kafkajs';
import { deliverFanOutChunk, type FanOut } from '../projections/feed/fan-out.js';
import { createKafkaFanOut } from '../projections/feed/fan-out-kafka.js';
import { startFanOutWorkers, type FanOutWorkersOptions } from '../projections/feed/fan-out-workers.js';
import type { FeedStore } from '../projections/feed/feed-store.js';
import type { PushPublisher } from '../projections/push/push-bus.js';

// Feed fan-out through Kafka (KAFKA_BROKERS set): the live feed projection publishes chunks, and
// the fan-out workers of this process (role worker or all) write them into the live feeds. The
// workers deliver into the store of the feed generation that is live in this process, so after
// a rebuild switches generations they follow it; a rebuild itself always fans out in-process.
export interface KafkaSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** min.insync.replicas of the topics it creates (KAFKA_MIN_INSYNC_REPLICAS). */
  minInsyncReplicas?: number;
  /** Consumer group session timeout (how soon a dead worker's partitions move); default 30 s. */
  sessionTimeoutMs?: number;
}

export interface KafkaFanOutWiring {
  /** For the live feed generation (createReadModelCatalog's liveFanOut). */
  liveFanOut(store: FeedStore): FanOut;
  /** Starts the workers, retrying in the background while the broker does not answer. */
  /** `parking`: where a chunk the workers cannot apply is parked (docs/architecture.md "Parked events"). */
  startWorkers(push?: PushPublisher, parking?: FanOutWorkersOptions['parking']): { stop(): Promise<void> };
  /** Resolves when a broker answers (for /ready). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export const createKafkaFanOutWiring = (settings: KafkaSettings): KafkaFanOutWiring => {
  // KafkaJS's own log repeats every failed connection attempt; what fails reaches us instead (a
  // publish rejects, so the projector logs and retries its batch; workers log crashes and starts).
  const kafka = new Kafka({ clientId: 'instagram-es', brokers: settings.brokers, connectionTimeout: 3_000, logLevel: logLevel.NOTHING });
  const topic = topicOf(settings);
  const producer = createKafkaFanOut(kafka, topic);
  let liveStore: FeedStore | null = null;
  return {
    liveFanOut(store) {
      liveStore = store;
      return producer;
    },
    startWorkers(push, parking) {
      const deliver = async (chunk: Parameters<typeof deliverFanOutChunk>[1]) => {
        if (!liveStore) throw new Error('the live feed read model is not open yet');
        await deliverFanOutChunk(liveStore, chunk, push);
        // Before kafkajs commits the chunk: a commit past writes a Redis failover lost would never redeliver them.
        await liveStore.replicated();
      };
      const options = { ...topic, groupId: workersGroupOf(settings.topic), deliver, ...(settings.sessionTimeoutMs ? { sessionTimeoutMs: settings.sessionTimeoutMs } : {}), ...(parking ? { parking } : {}) };
      return startRetrying('fan-out workers', () => startFanOutWorkers(kafka, options));
    },
    async probe() {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    close: () => producer.close(),
  };
};

/** The consumer group of the workers of a topic (fan-out workers, media processing consumers). */
export const workersGroupOf = (topic: string) => `${topic}-workers`;

/** The topic settings of a Kafka wiring (fan-out's or media's): partitions and replication. */
export const topicOf = (settings: Pick<KafkaSettings, 'topic' | 'partitions' | 'replicationFactor' | 'minInsyncReplicas'>) => ({
  topic: settings.topic,
  partitions: settings.partitions,
  replicationFactor: settings.replicationFactor,
  ...(settings.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: settings.minInsyncReplicas }),
});

/** Starts Kafka consumers now or, while Kafka does not answer, every few seconds until stopped (also the media workers'). */
export const startRetrying = (label: string, start: () => Promise<{ stop(): Promise<void> }>) => {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<{ stop(): Promise<void> } | null> = Promise.resolve(null);
  const tryStart = () => {
    attempt = start().catch((error: unknown) => {
      console.error(`[${label}] could not start (${(error as Error).message}); retrying in 5 s`);
      if (!stopped) timer = setTimeout(tryStart, 5_000);
      return null;
    });
  };
  tryStart();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await (await attempt)?.stop();
    },
  };
};
