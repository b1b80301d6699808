import type { Reactor } from '../runtime/reactor.js';
import type { ProcessUploadOutcome, ProcessUploadTrace } from './process-upload.js';
import type { ProcessingJob } from './processing-jobs-kafka.js';

// The processing reactor (docs/architecture.md "Media"): it follows MediaUploaded on the log.
// Without Kafka it processes the file itself (runReactor's concurrency bounds how many at once,
// a fault fails the batch and the runner retries it with backoff); with Kafka it only hands the
// job to the broker, and the consumer group does the processing.

export const PROCESSING_REACTOR = 'media-processing';

const mediaIdOf = (data: unknown) => (data as { mediaId: string }).mediaId;

export const inProcessProcessingReactor = (
  process: (mediaId: string, trace: ProcessUploadTrace) => Promise<ProcessUploadOutcome>,
): Reactor => ({
  name: PROCESSING_REACTOR,
  eventTypes: ['MediaUploaded'],
  async react(event) {
    await process(mediaIdOf(event.data), { correlationId: event.metadata.correlationId, causationId: event.eventId });
  },
});

export const kafkaProcessingReactor = (publish: (job: ProcessingJob) => Promise<void>): Reactor => ({
  name: `${PROCESSING_REACTOR}-jobs`,
  eventTypes: ['MediaUploaded'],
  async react(event) {
    await publish({ mediaId: mediaIdOf(event.data), eventId: event.eventId, correlationId: event.metadata.correlationId });
  },
});
