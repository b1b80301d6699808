import { START, type EventStore, type Position, type RecordedEvent, type ReadAllResult } from '../../events/index.js';
import type { Projection } from './projection.js';

// One pass over the global log for a replay: reads each batch once and hands it to every target
// projection (each from its own checkpoint), until the head (or `until`) is reached or the signal
// stops it. Unlike the projector (runner.ts) it ends when drained, and it fails fast: the replay
// CLI reports and `resume` retries.
//
// Each target applies the batches in log order on a lane of its own, and the lanes do not wait
// for one another: the log is read ahead up to `ahead` batches past the slowest lane. A batch
// costs projections very differently (a run of likes is heavy for profiles and notifications,
// nothing for search), so the pass takes about as long as its slowest projection's total rather
// than the sum of each batch's slowest apply; memory stays bounded by `ahead + 1` batches.

export interface CatchUpTarget {
  projection: Projection;
  checkpointKey: string;
}

export interface CatchUpProgress {
  /** Where every target has applied up to. */
  position: Position;
  /** Events applied by this pass so far (counted once however many targets took them). */
  events: number;
}

export interface CatchUpOptions {
  batchSize: number;
  /** Batches are applied with this flag (true in a rebuild: side effects must not fire). */
  replay: boolean;
  /** Start here instead of at the targets' checkpoints (a partial replay into a live generation). */
  from?: Position;
  /** Stop once this position is applied: events after it are left for later. */
  until?: Position;
  /** Aborting lets the batches being applied finish, then ends the pass. */
  signal?: AbortSignal;
  /** After each batch every target has applied, in log order; awaited before the log is read further. */
  onBatch?: (progress: CatchUpProgress) => void | Promise<void>;
  /** Batches the fastest lane may run ahead of the slowest (default 4). */
  ahead?: number;
}

export interface CatchUpResult extends CatchUpProgress {
  /** True when the signal ended the pass before the head (or `until`). */
  interrupted: boolean;
}

export const catchUp = async (store: EventStore, targets: readonly CatchUpTarget[], options: CatchUpOptions): Promise<CatchUpResult> => {
  const starts = await Promise.all(targets.map(async (target) => options.from ?? (await target.projection.checkpoint(target.checkpointKey))));
  const types = [...new Set(targets.flatMap((target) => target.projection.eventTypes))];
  const ahead = Math.max(0, options.ahead ?? 4);
  let position = starts.reduce((min, start) => (start < min ? start : min), starts[0] ?? START);
  let events = 0;
  const read = (from: Position): Promise<ReadAllResult> => {
    const reading = store.readAll(from, options.batchSize, { types });
    // A read ahead may be left behind by an abort or a failed apply: it must not crash the process.
    reading.catch(() => undefined);
    return reading;
  };
  // Each lane's last apply; each batch in flight, with what every lane makes of it, oldest first.
  const lanes: Promise<void>[] = targets.map(() => Promise.resolve());
  const inFlight: { applied: Promise<unknown>; end: Position; count: number }[] = [];
  let failure: unknown;
  const settleOldest = async () => {
    const oldest = inFlight.shift()!;
    await oldest.applied;
    position = oldest.end;
    events += oldest.count;
    await options.onBatch?.({ position, events });
  };
  const settleAll = async () => {
    // Every lane ends its batches before the pass reports: none is left writing behind it.
    await Promise.allSettled(lanes);
    while (inFlight.length > 0 && failure === undefined) await settleOldest().catch((error: unknown) => (failure = error));
    if (failure !== undefined) throw failure;
  };
  let next = read(position);
  let readFrom = position;
  for (;;) {
    if (options.signal?.aborted) {
      await settleAll();
      return { position, events, interrupted: true };
    }
    const batch = await next;
    const drained = batch.events.length < options.batchSize;
    const reachedUntil = options.until !== undefined && batch.position >= options.until;
    const end = reachedUntil ? options.until! : batch.position;
    const taken = reachedUntil ? batch.events.filter((event) => event.position <= end) : batch.events;
    if (!drained && !reachedUntil) next = read(batch.position);
    if (end > readFrom) {
      readFrom = end;
      const applies = targets.map((target, i) => (lanes[i] = lanes[i]!.then(() => applyTo(target, starts[i]!, taken, end, options.replay))));
      const applied = Promise.all(applies);
      // A failed lane fails the pass at once, without waiting for the batches before it elsewhere.
      applied.catch((error: unknown) => (failure ??= error));
      inFlight.push({ applied, end, count: taken.length });
      while (inFlight.length > ahead && failure === undefined) await settleOldest().catch((error: unknown) => (failure ??= error));
      if (failure !== undefined) await settleAll();
    }
    if (drained || reachedUntil) {
      await settleAll();
      return { position, events, interrupted: false };
    }
  }
};

/** Applies the events the target has not seen (after its start) of the types it reads. */
const applyTo = async (target: CatchUpTarget, start: Position, events: readonly RecordedEvent[], position: Position, replay: boolean) => {
  if (position <= start) return;
  const types = new Set<string>(target.projection.eventTypes);
  const mine = events.filter((event) => event.position > start && types.has(event.type));
  await target.projection.apply({ events: mine, position, replay }, target.checkpointKey);
};

/** An onBatch hook whose work may still be running when the hook has returned: `settled` awaits it. */
export interface BackgroundHook {
  (progress: CatchUpProgress): Promise<void>;
  /** Resolves once the work started last has ended; rejects with the first failure of any. */
  settled(): Promise<void>;
}

/**
 * An onBatch hook that starts `work` each time the events applied have doubled since it last ran
 * (first at `first`): e.g. refreshing the planner's statistics of tables a rebuild fills, at a
 * cost that stays a small share of the rebuild however large it gets. The pass does not wait
 * for it (an ANALYZE of every table of three read models stalled the pass for seconds each
 * time): it runs beside the lanes, one at a time (a run due while the last one still runs waits
 * for it), and a failure fails the next batch's hook, or `settled`, which the caller awaits
 * once the pass is over.
 */
export const whenDoubled = (work: () => Promise<void>, first = 10_000): BackgroundHook => {
  let next = first;
  let running: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const settled = async () => {
    await running;
    if (failure) throw failure.error;
  };
  const hook = async ({ events }: CatchUpProgress): Promise<void> => {
    if (failure) throw failure.error;
    if (events < next) return;
    next = events * 2;
    await settled();
    running = work().catch((error: unknown) => void (failure ??= { error }));
  };
  return Object.assign(hook, { settled });
};
