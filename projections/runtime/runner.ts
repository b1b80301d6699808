import { maxPosition, START, type EventFilter, type EventStore, type Position, type ReadAllResult, type RecordedEvent } from '../../events/index.js';
import { lagBetween } from './lag.js';
import { assertPartition, checkpointKeyOf, partitionOf, type Partition } from './partition.js';
import type { ParkingLot } from './parked-events.js';
import type { Projection } from './projection.js';
import { createRateMeter, type RateMeter } from './rate-meter.js';
import { backoffDelay, sleep } from './sleep.js';

// The projector: follows the global log from a projection's checkpoint and hands it batches,
// catch-up and live being the same loop (read a batch; when the log is drained, wait for an
// append hint or the poll interval). The projection stores the checkpoint with its writes, so
// the runner keeps no state that a crash could lose: a restart resumes from the stored checkpoint.
// A failing step (setup, read, apply) is retried after a backoff until it succeeds or stop() is
// called; with a parking lot, a batch that still fails after `afterAttempts` tries, for a reason
// that is not a backend being away (`isTransient`), is applied one event at a time, and the event
// that fails is parked (parked-events.ts) so that the projection goes on past it. A projection
// whose store can lose its data (Projection.verify: a Redis read model, redis-epoch.ts) is asked
// before the first batch, after a failure and about once a second; one it reset starts over.
//
// Below startProjector: what a projector knows (ProjectorState), then the loop (follow) and its
// steps in the order they run: resume, readAndApply (readBatch, refreshHead, applyBatch),
// waitIdle and appendHinted, retrying and backOff.

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
  /**
   * Where an event that keeps failing is set aside (docs/architecture.md "Parked events");
   * without it a failing batch is retried forever. An error `isTransient` says is a backend
   * being away is only ever retried (default: none is).
   */
  parking?: { lot: ParkingLot; afterAttempts?: number; isTransient?: (error: unknown) => boolean };
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
  /** Events this projector parked since it started. */
  parked: number;
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
/** How often a running projector asks a projection that can lose its data whether it did (Projection.verify). */
const VERIFY_MS = 1_000;
const EAGER_START_MS = 5;

const reportToConsole = (error: unknown, context: ProjectorErrorContext) =>
  console.error(`[projector ${context.checkpointKey}] attempt ${context.attempt} failed; retrying in ${context.retryInMs} ms`, error);

export const startProjector = (store: EventStore, projection: Projection, options: ProjectorOptions = {}): ProjectorHandle => {
  if (options.partition) assertPartition(options.partition);
  const projector = createProjector(store, projection, options);
  const { checkpointKey, state } = projector;
  const unsubscribe = (options.wake ?? store.onAppend?.bind(store))?.(() => appendHinted(projector));

  const done = follow(projector)
    .catch((error: unknown) => projector.onError(error, errorContext(projector, state.failures + 1, -1)))
    .catch(() => undefined)
    .finally(() => {
      state.running = false;
      unsubscribe?.();
    });

  return {
    checkpointKey,
    done,
    async stop() {
      state.stopping.abort();
      state.wakeIdle?.();
      await done;
    },
    status: () => ({
      name: projection.name,
      checkpointKey,
      checkpoint: state.checkpoint,
      head: maxPosition(state.head, state.checkpoint),
      lag: lagBetween(state.checkpoint, state.head),
      eventsPerSecond: state.rate.perSecond(),
      running: state.running,
      failures: state.failures,
      lastError: state.lastError,
      parked: state.parked,
    }),
  };
};

/**
 * What a projector knows while it runs. None of it needs to outlive the process: the checkpoint
 * that counts is the one the projection stored with its writes, and a restart starts from that.
 */
interface ProjectorState {
  /** Where the next read starts: the stored checkpoint, then the end of each batch applied. */
  checkpoint: Position;
  /** See ProjectorStatus.head and refreshHead. */
  head: Position;
  headCheckedAt: number;
  /** When Projection.verify last ran (performance.now()). */
  verifiedAt: number;
  /** Consecutive failures of the current step; 0 once it succeeds. */
  failures: number;
  lastError: string | null;
  /** Whether the last failure was a backend being away (never parked). */
  lastTransient: boolean;
  parked: number;
  /** Counts append hints; a change across a read means more may have come during it. */
  hints: number;
  /**
   * How long the next idle wait lasts. Appended events may not be readable the moment their
   * hint arrives (the PostgreSQL store only serves transactions older than every running one),
   * and hints are coalesced, so after a hint the projector looks again soon, at doubling
   * intervals, back up to the poll interval, rather than trusting the read right after the hint.
   */
  nextWaitMs: number;
  /** Ends the idle wait in progress, if there is one. */
  wakeIdle: (() => void) | undefined;
  running: boolean;
  readonly stopping: AbortController;
  readonly rate: RateMeter;
}

/** One projector: what it follows, its options with the defaults filled in, and its state. */
interface Projector {
  readonly store: EventStore;
  readonly projection: Projection;
  readonly checkpointKey: string;
  readonly filter: EventFilter;
  /** Whether an event is this instance's to apply (its stream hashes to this partition). */
  readonly mine: (event: RecordedEvent) => boolean;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly replay: boolean;
  readonly setup: boolean;
  readonly onError: NonNullable<ProjectorOptions['onError']>;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly parking: { lot: ParkingLot; afterAttempts: number; isTransient: (error: unknown) => boolean } | undefined;
  readonly state: ProjectorState;
}

const createProjector = (store: EventStore, projection: Projection, options: ProjectorOptions): Projector => {
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  return {
    store,
    projection,
    checkpointKey: checkpointKeyOf(projection.name, options.partition),
    filter: { types: projection.eventTypes },
    mine: partitionFilter(options.partition),
    batchSize: options.batchSize ?? 500,
    pollIntervalMs,
    replay: options.replay ?? false,
    setup: options.setup ?? true,
    onError: options.onError ?? reportToConsole,
    initialDelayMs: options.retry?.initialDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    parking: options.parking && {
      lot: options.parking.lot,
      afterAttempts: options.parking.afterAttempts ?? 5,
      isTransient: options.parking.isTransient ?? (() => false),
    },
    state: {
      checkpoint: START,
      head: START,
      headCheckedAt: -Infinity,
      verifiedAt: -Infinity,
      failures: 0,
      lastError: null,
      lastTransient: false,
      parked: 0,
      hints: 0,
      nextWaitMs: pollIntervalMs,
      wakeIdle: undefined,
      running: true,
      stopping: new AbortController(),
      rate: createRateMeter(),
    },
  };
};

/** The loop of the header: from the stored checkpoint, read and apply batches until stopped, waiting whenever the log is drained. */
const follow = async (projector: Projector) => {
  const { state } = projector;
  await resume(projector);
  while (!state.stopping.signal.aborted) {
    const hintsBefore = state.hints;
    const more = await retrying(projector, () => readAndApply(projector));
    if (more === undefined) break;
    // A hint during the read: what it announced may have come after the read looked.
    const drained = !more && state.hints === hintsBefore;
    if (drained) await waitIdle(projector);
  }
};

/** Sets the projection up (unless told not to) and starts from the checkpoint it stored. */
const resume = async (projector: Projector) => {
  const { projection, checkpointKey, state } = projector;
  if (projector.setup) await retrying(projector, () => projection.setup());
  if (projection.verify) await retrying(projector, () => verified(projection, checkpointKey, state));
  const stored = await retrying(projector, () => projection.checkpoint(checkpointKey));
  if (stored !== undefined) state.checkpoint = state.head = stored;
};

/** Reads one batch after the checkpoint and applies it; true when the log may hold more right away. */
const readAndApply = async (projector: Projector): Promise<boolean> => {
  const batch = await readBatch(projector);
  const full = batch.events.length >= projector.batchSize;
  await refreshHead(projector, batch.position, !full);
  const { parking, state } = projector;
  if (parking && state.failures >= parking.afterAttempts && !state.lastTransient) await applyOneByOne(projector, batch, parking);
  else await applyBatch(projector, batch);
  return full;
};

const readBatch = async ({ store, projection, checkpointKey, batchSize, filter, state }: Projector): Promise<ReadAllResult> => {
  // A store that lost its data is reset (Projection.verify): the checkpoint is back at START.
  const reset = projection.verify && (state.failures > 0 || performance.now() - state.verifiedAt >= VERIFY_MS) ? await verified(projection, checkpointKey, state) : false;
  // After a failure the batch may or may not have been stored: ask the projection where it is.
  if (state.failures > 0 || reset) state.checkpoint = await projection.checkpoint(checkpointKey);
  return store.readAll(state.checkpoint, batchSize, filter);
};

const verified = async (projection: Projection, checkpointKey: string, state: ProjectorState): Promise<boolean> => {
  const reset = await projection.verify!(checkpointKey);
  state.verifiedAt = performance.now();
  return reset;
};

const applyBatch = async ({ projection, checkpointKey, mine, replay, state }: Projector, batch: ReadAllResult) => {
  const events = batch.events.filter(mine);
  // Also when the partition (or the type filter) left nothing: the checkpoint moves past it.
  if (events.length === 0 && batch.position === state.checkpoint) return;
  await projection.apply({ events, position: batch.position, replay }, checkpointKey);
  state.checkpoint = batch.position;
  state.rate.record(events.length);
};

/**
 * The batch that keeps failing, one event at a time: an event that fails again (not transiently)
 * is parked, and the checkpoint moves past it. Each event is its own batch, checkpoint included,
 * so a crash here resumes after the last event applied or parked.
 */
const applyOneByOne = async (projector: Projector, batch: ReadAllResult, parking: NonNullable<Projector['parking']>) => {
  const { projection, checkpointKey, mine, replay, state } = projector;
  for (const event of batch.events.filter(mine)) {
    try {
      await projection.apply({ events: [event], position: event.position, replay }, checkpointKey);
    } catch (error) {
      if (parking.isTransient(error)) throw error;
      await parking.lot.park(projection.name, event, error, state.failures + 1);
      state.parked++;
      console.error(`[projector ${checkpointKey}] parked event ${event.eventId} (${event.type}) at ${event.position}`, error);
      await projection.apply({ events: [], position: event.position, replay }, checkpointKey);
    }
    state.checkpoint = event.position;
    state.rate.record(1);
  }
  if (batch.position !== state.checkpoint) await projection.apply({ events: [], position: batch.position, replay }, checkpointKey);
  state.checkpoint = batch.position;
};

// A drained read has seen everything visible: its position is the head. While catching up, the
// head is asked for at most once a second, so that status() shows a meaningful lag; in between,
// what the reads saw is a lower bound.
const refreshHead = async ({ store, state }: Projector, readUpTo: Position, drained: boolean) => {
  state.head = maxPosition(state.head, readUpTo);
  if (!drained && performance.now() - state.headCheckedAt >= HEAD_REFRESH_MS) {
    state.headCheckedAt = performance.now();
    state.head = maxPosition(state.head, await store.headPosition());
  }
};

/** Waits for an append hint or the current idle interval, whichever comes first; the next interval doubles. */
const waitIdle = async ({ pollIntervalMs, state }: Projector) => {
  const waitMs = state.nextWaitMs;
  state.nextWaitMs = Math.min(waitMs * 2, pollIntervalMs);
  const woken = new Promise<void>((resolve) => (state.wakeIdle = resolve));
  await Promise.race([woken, sleep(waitMs, state.stopping.signal)]);
  state.wakeIdle = undefined;
};

/** "Events were appended": look again soon (see ProjectorState.nextWaitMs), and now if idle. */
const appendHinted = ({ pollIntervalMs, state }: Projector) => {
  state.hints++;
  state.nextWaitMs = Math.min(EAGER_START_MS, pollIntervalMs);
  state.wakeIdle?.();
};

/** Runs `work` until it succeeds, or until the projector stops (then undefined). */
const retrying = async <T>(projector: Projector, work: () => Promise<T>): Promise<T | undefined> => {
  const { state } = projector;
  while (!state.stopping.signal.aborted) {
    try {
      const result = await work();
      state.failures = 0;
      state.lastError = null;
      state.lastTransient = false;
      return result;
    } catch (error) {
      await backOff(projector, error);
    }
  }
  return undefined;
};

/** Counts and reports a failure, then waits before the retry (cut short by stop()). */
const backOff = async (projector: Projector, error: unknown) => {
  const { state } = projector;
  state.failures++;
  state.lastError = error instanceof Error ? error.message : String(error);
  state.lastTransient = projector.parking?.isTransient(error) ?? false;
  const retryInMs = backoffDelay(state.failures, projector.initialDelayMs, projector.maxDelayMs);
  try {
    projector.onError(error, errorContext(projector, state.failures, retryInMs));
  } catch {
    // A failing error reporter must not stop the projector.
  }
  await sleep(retryInMs, state.stopping.signal);
};

const errorContext = ({ projection, checkpointKey }: Projector, attempt: number, retryInMs: number): ProjectorErrorContext => ({
  projection: projection.name,
  checkpointKey,
  attempt,
  retryInMs,
});

const partitionFilter = (partition: Partition | undefined) =>
  partition === undefined || partition.count === 1
    ? () => true
    : (event: RecordedEvent) => partitionOf(event.streamId, partition.count) === partition.index;
