import { maxPosition, START, type EventStore, type Position, type RecordedEvent } from '../../events/index.js';
import { lagBetween } from './lag.js';
import { assertPartition, checkpointKeyOf, partitionOf, type Partition } from './partition.js';
import type { Projection } from './projection.js';
import { createRateMeter } from './rate-meter.js';
import { backoffDelay, sleep } from './sleep.js';

// The projector: follows the global log from a projection's checkpoint and hands it batches,
// catch-up and live being the same loop (read a batch; when the log is drained, wait for an
// append hint or the poll interval). The projection stores the checkpoint with its writes, so
// the runner keeps no state that a crash could lose: a restart resumes from the stored checkpoint.

export interface ProjectorErrorContext {
  projection: string;
  checkpointKey: string;
  /** Consecutive failures so far, this one included. */
  attempt: number;
  retryInMs: number;
}

export interface ProjectorOptions {
  /** Events read per batch (default 500). */
  batchSize?: number;
  /** Run as one of several instances, each applying the streams that hash to its index. */
  partition?: Partition;
  /** Passed to every batch: the projection is being rebuilt, side effects must not fire. */
  replay?: boolean;
  /** How long a drained projector waits before reading again without an append hint (default 250 ms). */
  pollIntervalMs?: number;
  /**
   * Source of "events were appended" hints that end the idle wait early; defaults to the store's
   * onAppend when it has one. Returns the unsubscribe function.
   */
  wake?: (listener: () => void) => () => void;
  /** Every failure (setup, read, apply); the batch is retried after a backoff. Defaults to console.error. */
  onError?: (error: unknown, context: ProjectorErrorContext) => void;
  /** Backoff after failures: first delay and cap (defaults 100 ms and 30 s). */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Run projection.setup() before the first batch (default true). */
  setup?: boolean;
}

export interface ProjectorStatus {
  name: string;
  checkpointKey: string;
  checkpoint: Position;
  /** The last head seen (refreshed by reads; a drained read sees the head itself). */
  head: Position;
  /** Approximate events behind the head; 0 when caught up (see lag.ts). */
  lag: number;
  eventsPerSecond: number;
  running: boolean;
  /** Consecutive failures of the current batch; 0 when the last attempt succeeded. */
  failures: number;
  lastError: string | null;
}

export interface ProjectorHandle {
  readonly checkpointKey: string;
  /** Graceful: lets the batch being applied finish, then ends the loop. */
  stop(): Promise<void>;
  status(): ProjectorStatus;
  /** Settles when the loop has ended (after stop()); never rejects. */
  readonly done: Promise<void>;
}

const HEAD_REFRESH_MS = 1_000;
const EAGER_START_MS = 5;

const reportToConsole = (error: unknown, context: ProjectorErrorContext) =>
  console.error(`[projector ${context.checkpointKey}] attempt ${context.attempt} failed; retrying in ${context.retryInMs} ms`, error);

export const startProjector = (store: EventStore, projection: Projection, options: ProjectorOptions = {}): ProjectorHandle => {
  if (options.partition) assertPartition(options.partition);
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const onError = options.onError ?? reportToConsole;
  const initialDelayMs = options.retry?.initialDelayMs ?? 100;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const checkpointKey = checkpointKeyOf(projection.name, options.partition);
  const filter = { types: projection.eventTypes };
  const mine = partitionFilter(options.partition);
  const meter = createRateMeter();

  const stopping = new AbortController();
  let checkpoint: Position = START;
  let head: Position = START;
  let headCheckedAt = -Infinity;
  let running = true;
  let failures = 0;
  let lastError: string | null = null;
  // Counts append hints; a change across a read means more may have come during it.
  let hints = 0;
  // How long the next idle wait lasts. Appended events may not be readable the moment their
  // hint arrives (the PostgreSQL store only serves transactions older than every running one),
  // and hints are coalesced, so after a hint the projector looks again soon, at doubling
  // intervals, back up to the poll interval, rather than trusting the read right after the hint.
  let nextWaitMs = pollIntervalMs;
  let wakeIdle: (() => void) | undefined;
  const unsubscribe = (options.wake ?? store.onAppend?.bind(store))?.(() => {
    hints++;
    nextWaitMs = Math.min(EAGER_START_MS, pollIntervalMs);
    wakeIdle?.();
  });

  /** Runs `work` until it succeeds or the projector stops; reports each failure. */
  const retrying = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    while (!stopping.signal.aborted) {
      try {
        const result = await work();
        failures = 0;
        lastError = null;
        return result;
      } catch (error) {
        failures++;
        lastError = error instanceof Error ? error.message : String(error);
        const retryInMs = backoffDelay(failures, initialDelayMs, maxDelayMs);
        try {
          onError(error, { projection: projection.name, checkpointKey, attempt: failures, retryInMs });
        } catch {
          // A failing error reporter must not stop the projector.
        }
        await sleep(retryInMs, stopping.signal);
      }
    }
    return undefined;
  };

  /** Reads one batch after the checkpoint and applies it; true when the log may hold more right away. */
  const step = async (): Promise<boolean> => {
    // After a failure the batch may or may not have been stored: ask the projection where it is.
    if (failures > 0) checkpoint = await projection.checkpoint(checkpointKey);
    const batch = await store.readAll(checkpoint, batchSize, filter);
    const full = batch.events.length >= batchSize;
    await refreshHead(batch.position, !full);
    const events = batch.events.filter(mine);
    // Also when the partition (or the type filter) left nothing: the checkpoint moves past it.
    if (events.length > 0 || batch.position !== checkpoint) {
      await projection.apply({ events, position: batch.position, replay: options.replay ?? false }, checkpointKey);
      checkpoint = batch.position;
      meter.record(events.length);
    }
    return full;
  };

  // A drained read has seen everything visible: its position is the head. While catching up, the
  // head is asked for at most once a second, so that status() shows a meaningful lag; in between,
  // what the reads saw is a lower bound.
  const refreshHead = async (readUpTo: Position, drained: boolean) => {
    head = maxPosition(head, readUpTo);
    if (!drained && performance.now() - headCheckedAt >= HEAD_REFRESH_MS) {
      headCheckedAt = performance.now();
      head = maxPosition(head, await store.headPosition());
    }
  };

  const idle = async (ms: number) => {
    const woken = new Promise<void>((resolve) => (wakeIdle = resolve));
    await Promise.race([woken, sleep(ms, stopping.signal)]);
    wakeIdle = undefined;
  };

  const loop = async () => {
    if (options.setup ?? true) await retrying(() => projection.setup());
    const stored = await retrying(() => projection.checkpoint(checkpointKey));
    if (stored !== undefined) checkpoint = head = stored;
    while (!stopping.signal.aborted) {
      const hintsBefore = hints;
      const more = await retrying(step);
      if (more === undefined) break;
      if (more || hints !== hintsBefore) continue;
      const waitMs = nextWaitMs;
      nextWaitMs = Math.min(nextWaitMs * 2, pollIntervalMs);
      await idle(waitMs);
    }
  };

  const done = loop()
    .catch((error: unknown) => onError(error, { projection: projection.name, checkpointKey, attempt: failures + 1, retryInMs: -1 }))
    .catch(() => undefined)
    .finally(() => {
      running = false;
      unsubscribe?.();
    });

  return {
    checkpointKey,
    done,
    async stop() {
      stopping.abort();
      wakeIdle?.();
      await done;
    },
    status: () => ({
      name: projection.name,
      checkpointKey,
      checkpoint,
      head: maxPosition(head, checkpoint),
      lag: lagBetween(checkpoint, head),
      eventsPerSecond: meter.perSecond(),
      running,
      failures,
      lastError,
    }),
  };
};

const partitionFilter = (partition: Partition | undefined) =>
  partition === undefined || partition.count === 1
    ? () => true
    : (event: RecordedEvent) => partitionOf(event.streamId, partition.count) === partition.index;
