import type { Position } from '../../events/index.js';
import type { Projection } from './projection.js';
import { sleep } from './sleep.js';

// Read-your-writes (docs/architecture.md "Read path"): a query carrying a command's position waits, bounded, until the
// projection it reads has applied that position. With several partitions every one of them must
// have: each reads the whole log, so each checkpoint at or past the position means every
// instance has applied (or skipped) everything up to it.
//
// However many requests wait on one projection, one loop looks at its checkpoints: each look
// answers every waiter whose position it reached, so the checkpoint reads a process makes grow
// with time spent waiting, not with the number of waiting requests.

export interface WaitOptions {
  /** Pause between two looks at the checkpoints (default 10 ms, growing to `maxPollMs` while they do not move). */
  pollMs?: number;
  /** Default 100 ms: a projection far behind is not worth hammering. */
  maxPollMs?: number;
}

export interface CheckpointWaiter {
  /**
   * True once every checkpoint under the waiter's keys is at or past `position`; false if that has
   * not happened within `timeoutMs`. Rejects with the checkpoint read's error (a backend down).
   */
  wait(position: Position, timeoutMs: number): Promise<boolean>;
  /** True when a checkpoint already seen is at or past `position` (no look needed: checkpoints never move back). */
  hasReached(position: Position): boolean;
  /** Waits not answered yet. */
  readonly waiting: number;
}

interface Waiting {
  position: Position;
  deadline: number;
  settle(reached: boolean): void;
  fail(error: unknown): void;
}

/** The lowest of the checkpoints: every one is at or past a position exactly when it is. */
const lowestCheckpoint = async (projection: Pick<Projection, 'checkpoint'>, keys: readonly string[]): Promise<Position> => {
  const checkpoints = await Promise.all(keys.map((key) => projection.checkpoint(key)));
  return checkpoints.reduce((lowest, checkpoint) => (checkpoint < lowest ? checkpoint : lowest));
};

/** One poll loop over the checkpoints under `keys`, shared by every wait on them. */
export const createCheckpointWaiter = (projection: Pick<Projection, 'checkpoint'>, keys: readonly string[], options: WaitOptions = {}): CheckpointWaiter => {
  const firstPause = options.pollMs ?? 10;
  const maxPause = options.maxPollMs ?? 100;
  const waiting = new Set<Waiting>();
  // The highest lowest-checkpoint looked at.
  let seen: Position | undefined;
  let looping = false;

  const settleReached = (lowest: Position) => {
    for (const waiter of waiting) if (waiter.position <= lowest) waiter.settle(true);
  };
  const settleExpired = () => {
    const now = performance.now();
    for (const waiter of waiting) if (waiter.deadline <= now) waiter.settle(false);
  };

  const loop = async () => {
    looping = true;
    let pause = firstPause;
    try {
      while (waiting.size > 0) {
        const lowest = await lowestCheckpoint(projection, keys);
        // Moving checkpoints are looked at often; still ones less and less.
        const moved = seen === undefined || lowest > seen;
        pause = moved ? firstPause : Math.min(pause * 2, maxPause);
        if (moved) seen = lowest;
        settleReached(lowest);
        settleExpired();
        if (waiting.size === 0) break;
        const nextDeadline = [...waiting].reduce((soonest, waiter) => Math.min(soonest, waiter.deadline), Infinity);
        // Until the next look, or the next deadline (which gets one last look before it answers).
        await sleep(Math.max(0, Math.min(pause, nextDeadline - performance.now())));
      }
    } catch (error) {
      // The checkpoints cannot be read (a backend down): every wait answers with that error.
      for (const waiter of waiting) waiter.fail(error);
    } finally {
      looping = false;
    }
  };

  const hasReached = (position: Position) => seen !== undefined && position <= seen;

  return {
    get waiting() {
      return waiting.size;
    },
    hasReached,
    wait(position, timeoutMs) {
      if (hasReached(position)) return Promise.resolve(true);
      return new Promise<boolean>((resolve, reject) => {
        const waiter: Waiting = {
          position,
          deadline: performance.now() + timeoutMs,
          settle: (reached) => {
            waiting.delete(waiter);
            resolve(reached);
          },
          fail: (error) => {
            waiting.delete(waiter);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        };
        waiting.add(waiter);
        if (!looping) void loop();
      });
    },
  };
};

/** True once every checkpoint under `keys` is at or past `position`; false if that has not happened within `timeoutMs`. */
export const waitForCheckpoint = (
  projection: Pick<Projection, 'checkpoint'>,
  keys: readonly string[],
  position: Position,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<boolean> => createCheckpointWaiter(projection, keys, options).wait(position, timeoutMs);
