import { START, type Position } from '../events/index.js';
import { catchUp, whenDoubled, type CatchUpOptions, type CatchUpResult, type CatchUpTarget } from '../projections/runtime/catch-up.js';
import type { OpenReadModel } from '../projections/runtime/read-model.js';
import { lagBetween } from '../projections/runtime/lag.js';
import { createRateMeter } from '../projections/runtime/rate-meter.js';
import type { ReplayContext } from './context.js';

/**
 * One catch-up pass over the log with progress reported (events/s, ETA against the head at the
 * start); the read models being filled get their statistics refreshed as they grow.
 */
export const runCatchUp = async (
  context: ReplayContext,
  task: string,
  targets: readonly (CatchUpTarget & { readModel?: Pick<OpenReadModel<unknown>, 'analyze'> })[],
  options: Omit<CatchUpOptions, 'signal' | 'onBatch'>,
): Promise<CatchUpResult> => {
  const starts = options.from
    ? [options.from]
    : await Promise.all(targets.map((target) => target.projection.checkpoint(target.checkpointKey)));
  const from = starts.reduce((min, start) => (start < min ? start : min), starts[0] ?? START);
  const head: Position = options.until ?? (await context.store.headPosition());
  const total = lagBetween(from, head);
  const meter = createRateMeter();
  let reported = 0;
  const report = (events: number) => context.reporter.progress({ task, events, total: Math.max(total, events), eventsPerSecond: meter.perSecond() });
  report(0);
  const analyze = whenDoubled(async () => {
    await Promise.all(targets.map((target) => target.readModel?.analyze?.()));
  });
  const result = await catchUp(context.store, targets, {
    ...options,
    signal: context.signal,
    onBatch: async (progress) => {
      meter.record(progress.events - reported);
      reported = progress.events;
      report(progress.events);
      await analyze(progress);
    },
  });
  // The last refresh of statistics may still run: the pass is not over before it is.
  await analyze.settled();
  context.reporter.done();
  return result;
};
