import { Kafka, logLevel } from 'kafkajs';
import { createParkingLot } from '../projections/runtime/parked-events.js';
import { isTransientBackendError } from './http/backend-errors.js';
import type pg from 'pg';
import type { CommandDeps } from '../commands/deps.js';
import { deleteMedia, expireMedia, recordProcessingResult } from '../commands/media/media.js';
import type { EventStore } from '../events/index.js';
import { processMedia as defaultProcessMedia } from '../media/processing/index.js';
import type { ProcessMedia } from '../media/processing/processing.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import type { ProjectorStatus } from '../projections/runtime/runner.js';
import { createJanitor } from '../workers/media/janitor.js';
import type { MediaWorkerCommands } from '../workers/media/media-commands.js';
import { createProcessingJob, removeAbandonedWorkDirs } from '../workers/media/process-upload.js';
import { createProcessingJobProducer, startProcessingConsumers } from '../workers/media/processing-jobs-kafka.js';
import { inProcessProcessingReactor, kafkaProcessingReactor } from '../workers/media/processing-reactor.js';
import { startSweeper, type StaleMedia } from '../workers/media/sweeper.js';
import { startReactor } from '../workers/runtime/reactor.js';
import { startRetrying, topicOf, workersGroupOf } from './kafka-fan-out.js';

// The media workers of a worker process (roles `worker` and `all`; docs/architecture.md "Media"):
//   - the processing reactor: on MediaUploaded, processes the file in-process, or, with Kafka,
//     produces a job to KAFKA_MEDIA_TOPIC for this process's (and other workers') consumers;
//   - the processing consumers (Kafka only): a consumer group over that topic;
//   - the janitor reactor: deletes the media of deleted posts and stories, expired stories and
//     replaced avatars, and the objects of deleted or expired media;
//   - the sweeper: expires uploads left behind, every mediaSweepIntervalMs.
// Each reactor keeps its own checkpoint (`reactor:<name>`), outside the read models.

export interface MediaKafkaSettings {
  brokers: string[];
  topic: string;
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas?: number;
  sessionTimeoutMs?: number;
}

export interface MediaWorkersOptions {
  store: EventStore;
  pool: pg.Pool;
  storage: MediaStorage;
  processMedia: ProcessMedia;
  commands: MediaWorkerCommands;
  /** The media read model's abandoned uploads (reader.stale). */
  stale: StaleMedia;
  /** Set: jobs go through this topic; unset: processed in-process from the log. */
  kafka?: MediaKafkaSettings | undefined;
  /** Files processed at once by this process (default 2: one per core on the project's machine). */
  concurrency?: number;
  sweepIntervalMs: number;
  /** Off in processes that should only process (the fault test's extra workers may keep it on: it is idempotent). */
  sweep?: boolean;
  clock?: () => Date;
  pollIntervalMs?: number;
  /** Backoff of failed batches and jobs (tests shorten it). */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  tmpDir?: string;
}

export interface MediaWorkers {
  /** The reactors' statuses (lag, failures), for /metrics. */
  statuses(): ProjectorStatus[];
  stop(): Promise<void>;
}

export const startMediaWorkers = (options: MediaWorkersOptions): MediaWorkers => {
  const concurrency = options.concurrency ?? 2;
  const { store, pool, storage } = options;
  const reactorOptions = {
    pollIntervalMs: options.pollIntervalMs ?? 100,
    ...(options.retry ? { retry: options.retry } : {}),
    // An event whose reaction keeps failing (not a backend being away) is parked, not retried for ever.
    parking: { lot: createParkingLot(pool), isTransient: isTransientBackendError },
  };
  const job = createProcessingJob({
    store,
    storage,
    processMedia: options.processMedia,
    commands: options.commands,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}),
  });
  const stops: Array<() => Promise<void>> = [];
  // What workers killed mid-file left in the temporary directory (best effort: a failure only leaves them there).
  void removeAbandonedWorkDirs(options.tmpDir).catch((error: unknown) => console.error('[media workers] could not remove abandoned work folders', error));

  const reactors = [startReactor(store, pool, createJanitor({ store, storage, commands: options.commands, ...(options.clock ? { clock: options.clock } : {}) }), { ...reactorOptions, concurrency: 4 })];
  if (options.kafka) {
    const kafka = new Kafka({ clientId: 'instagram-es-media', brokers: options.kafka.brokers, connectionTimeout: 3_000, logLevel: logLevel.NOTHING });
    const topic = topicOf(options.kafka);
    const producer = createProcessingJobProducer(kafka, topic);
    // Small batches: a job is on the broker within one batch of its MediaUploaded.
    reactors.push(startReactor(store, pool, kafkaProcessingReactor(producer.publish), { ...reactorOptions, concurrency: 8 }));
    const consumers = startRetrying('media workers', () =>
      startProcessingConsumers(kafka, {
        ...topic,
        groupId: workersGroupOf(options.kafka!.topic),
        concurrency,
        ...(options.kafka!.sessionTimeoutMs ? { sessionTimeoutMs: options.kafka!.sessionTimeoutMs } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
        process: async ({ mediaId, eventId, correlationId }) => {
          await job(mediaId, { ...(correlationId ? { correlationId } : {}), causationId: eventId ?? null });
        },
      }),
    );
    stops.push(() => consumers.stop(), () => producer.close());
  } else {
    // A batch of files is worked on `concurrency` at a time, the next starting as one ends; a crash redoes at
    // most a batch, and a file whose result is recorded is skipped at the cost of reading its stream.
    reactors.push(startReactor(store, pool, inProcessProcessingReactor(job), { ...reactorOptions, concurrency, batchSize: 8 * concurrency }));
  }
  const sweeper =
    options.sweep === false
      ? null
      : startSweeper({
          storage,
          commands: options.commands,
          stale: options.stale,
          intervalMs: options.sweepIntervalMs,
          ...(options.clock ? { clock: options.clock } : {}),
          onError: (error, mediaId) => console.error(`[media sweeper] ${mediaId ?? 'run'} failed; retried on the next run`, error),
        });

  return {
    statuses: () => reactors.map((reactor) => reactor.status()),
    async stop() {
      await sweeper?.stop();
      // Consumers first (their jobs in flight finish or stay uncommitted), then the reactors, then the producer.
      await stops[0]?.();
      await Promise.all(reactors.map((reactor) => reactor.stop()));
      for (const stop of stops.slice(1)) await stop();
    },
  };
};

/** The media commands the workers issue, bound to the platform's command dependencies. */
export const mediaWorkerCommands = (deps: CommandDeps): MediaWorkerCommands => ({
  recordProcessingResult: (input, ctx) => recordProcessingResult(deps, input, ctx),
  deleteMedia: (input, ctx) => deleteMedia(deps, input, ctx),
  expireMedia: (input, ctx) => expireMedia(deps, input, ctx),
});

export interface MediaWorkersWiring {
  commands: CommandDeps;
  pool: pg.Pool;
  /** The feed's Kafka settings (KAFKA_BROKERS, partitions, replication, session timeout); undefined: in-process. */
  kafka: Omit<MediaKafkaSettings, 'topic'> | undefined;
  /** KAFKA_MEDIA_TOPIC. */
  topic: string;
  tuning: { mediaProcessingConcurrency: number; mediaSweepIntervalMs: number };
  stale: StaleMedia;
}

/** The options of a worker process's media workers, from the platform's parts (app/platform.ts). */
export const mediaWorkersOf = ({ commands, pool, kafka, topic, tuning, stale }: MediaWorkersWiring): MediaWorkersOptions => ({
  store: commands.store,
  pool,
  storage: commands.storage,
  processMedia: defaultProcessMedia,
  commands: mediaWorkerCommands(commands),
  stale,
  kafka: kafka && { ...kafka, topic },
  concurrency: tuning.mediaProcessingConcurrency,
  sweepIntervalMs: tuning.mediaSweepIntervalMs,
});
