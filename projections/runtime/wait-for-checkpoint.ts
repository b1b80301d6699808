import type { Position } from '../../events/index.js';
import type { Projection } from './projection.js';
import { sleep } from './sleep.js';

// Read-your-writes (docs/architecture.md "Projections"): a query carrying a command's position waits, bounded, until the
// projection it reads has applied that position. With several partitions every one of them must
// have: each reads the whole log, so each checkpoint at or past the position means every
// instance has applied (or skipped) everything up to it.

export interface WaitOptions {
  /** Pause between two looks at the checkpoints (default 10 ms, growing to 100 ms). */
  pollMs?: number;
}

const reached = async (projection: Pick<Projection, 'checkpoint'>, keys: readonly string[], position: Position): Promise<boolean> => {
  const checkpoints = await Promise.all(keys.map((key) => projection.checkpoint(key)));
  return checkpoints.every((checkpoint) => checkpoint >= position);
};

/** True once every checkpoint under `keys` is at or past `position`; false if that has not happened within `timeoutMs`. */
export const waitForCheckpoint = async (
  projection: Pick<Projection, 'checkpoint'>,
  keys: readonly string[],
  position: Position,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<boolean> => {
  const deadline = performance.now() + timeoutMs;
  let pause = options.pollMs ?? 10;
  for (;;) {
    if (await reached(projection, keys, position)) return true;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return false;
    await sleep(Math.min(pause, remaining));
    // Most waits end within a batch or two; a projection far behind is not worth hammering.
    pause = Math.min(pause * 2, 100);
  }
};
