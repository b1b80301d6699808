import type { Kafka } from 'kafkajs';
import { createTopicProducer, ensureFanOutTopic, heartbeatIntervalFor, startJobConsumer, type FanOutTopic } from '../../projections/feed/fan-out-topic.js';
import { backoffDelay, sleep } from '../../projections/runtime/sleep.js';

// Processing jobs through Kafka (KAFKA_BROKERS set; topic KAFKA_MEDIA_TOPIC, `media-processing`):
// the processing reactor produces one job {mediaId} per MediaUploaded, keyed by the media id,
// and moves its checkpoint only once the broker has it on every in-sync replica (acks all;
// idempotent producer). A consumer group (roles worker and all) processes the jobs; the offset
// of a job is committed only after its result is recorded, so a worker killed mid-file leaves
// the job to the member that takes its partition over: at-least-once, and processing a job twice
// writes no variant twice and records one result (workers/media/process-upload.ts).

export type ProcessingTopic = FanOutTopic;

export interface ProcessingJob {
  mediaId: string;
  /** The MediaUploaded event it comes from (the causation of what the worker appends). */
  eventId?: string;
  correlationId?: string;
}

export interface ProcessingJobProducer {
  publish(job: ProcessingJob): Promise<void>;
  close(): Promise<void>;
}

/** Creates the topic like the fan-out topic: by whoever comes first, left as it is when it exists. */
export const ensureProcessingTopic = (kafka: Kafka, topic: ProcessingTopic) => ensureFanOutTopic(kafka, topic);

export const createProcessingJobProducer = (kafka: Kafka, topic: ProcessingTopic): ProcessingJobProducer => {
  const producer = createTopicProducer(kafka, topic);
  return { publish: (job) => producer.send(job.mediaId, job), close: () => producer.close() };
};

export const parseJob = (value: Buffer | null): ProcessingJob | null => {
  try {
    const job = JSON.parse(value?.toString('utf8') ?? 'null') as ProcessingJob | null;
    return job && typeof job.mediaId === 'string' ? job : null;
  } catch {
    return null;
  }
};

export interface ProcessingConsumersOptions extends ProcessingTopic {
  groupId: string;
  /** Processes one job; throwing is a fault worth a retry (the job is retried here, with backoff). */
  process(job: ProcessingJob): Promise<void>;
  /** Jobs processed at once by this process (partitions consumed concurrently; default 2). */
  concurrency?: number;
  /** After this long without a heartbeat, a worker's partitions go to the others (default 30 s). */
  sessionTimeoutMs?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  onError?: (error: unknown, job: ProcessingJob, attempt: number) => void;
}

export interface ProcessingConsumers {
  stop(): Promise<void>;
}

/** Joins the group and consumes until stopped; resolves once the consumer is running. */
export const startProcessingConsumers = async (kafka: Kafka, options: ProcessingConsumersOptions): Promise<ProcessingConsumers> => {
  await ensureProcessingTopic(kafka, options);
  const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
  const heartbeatInterval = heartbeatIntervalFor(sessionTimeout);
  const stopping = new AbortController();
  const initialDelayMs = options.retry?.initialDelayMs ?? 200;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const consumer = await startJobConsumer(kafka, {
    label: 'media workers',
    groupId: options.groupId,
    topic: options.topic,
    sessionTimeout,
    heartbeatInterval,
    concurrency: options.concurrency ?? 2,
    // Offsets are committed only for messages whose eachMessage resolved: after the result is recorded.
    eachMessage: async ({ message, heartbeat }) => {
      const job = parseJob(message.value);
      // A message that is not a job is skipped rather than blocking its partition for ever.
      if (!job) return;
      // A file takes seconds: keep the membership alive meanwhile, so its partition stays here.
      const beating = setInterval(() => void heartbeat().catch(() => undefined), heartbeatInterval);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await options.process(job);
            return;
          } catch (error) {
            // Stopping: leave the job uncommitted for whoever holds the partition next.
            if (stopping.signal.aborted) throw error;
            const report = options.onError ?? ((e: unknown) => console.error(`[media workers] job ${job.mediaId} attempt ${attempt} failed; retrying`, e));
            report(error, job, attempt);
            await sleep(backoffDelay(attempt, initialDelayMs, maxDelayMs), stopping.signal);
            if (stopping.signal.aborted) throw error;
          }
        }
      } finally {
        clearInterval(beating);
      }
    },
  });
  return {
    async stop() {
      stopping.abort();
      await consumer.stop();
    },
  };
};
