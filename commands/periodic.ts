// A task run every `intervalMs`, one run at a time: the next is scheduled when the last has
// finished, so a slow run never overlaps the next. Used by the story expiry
// (commands/stories/expire-stories.ts), the media sweeper (workers/media/sweeper.ts), the eraser
// (workers/erasure/eraser.ts), the sessions' and rate limits' purges.

export interface Periodic {
  /** Stops scheduling and waits for the run in progress. */
  stop(): Promise<void>;
}

/** `onError`, made safe to call: a throwing listener must not end a schedule (nor leave a rejected promise behind). */
export const reportingSafely =
  <Id>(onError: (error: unknown, id?: Id) => void) =>
  (error: unknown, id?: Id): void => {
    try {
      onError(error, id);
    } catch {
      // nothing sensible left to tell
    }
  };

export const runPeriodically = (intervalMs: number, run: () => Promise<void>, onError: (error: unknown) => void): Periodic => {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const report = reportingSafely(onError);
  const runOnce = () => run().catch((error: unknown) => report(error));
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, intervalMs);
  };
  running = runOnce().finally(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};

/** What a periodic batch job is given: its schedule, its clock, and where it tells what happened. */
export interface BatchScheduleOptions<Run, Id> {
  intervalMs: number;
  /** Defaults to the system clock. */
  clock?: () => Date;
  /** Told of a run that failed, or of each item of a run that failed (with its id); the job keeps going. */
  onError: (error: unknown, id?: Id) => void;
  /** Told of each run's outcome (for logs and metrics). */
  onRun?: (run: Run) => void;
}

/**
 * Runs `runOnce(now)` every `intervalMs` (runPeriodically), reporting each item the run says failed
 * under its id, then the run itself: the one shape of the story expiry, the sweeper and the eraser.
 */
export const runBatchesPeriodically = <Run extends { failed: readonly { error: unknown }[] }, Id>(
  options: BatchScheduleOptions<Run, Id>,
  runOnce: (now: Date) => Promise<Run>,
  idOf: (failure: Run['failed'][number]) => Id,
): Periodic => {
  const clock = options.clock ?? (() => new Date());
  const report = reportingSafely(options.onError);
  return runPeriodically(
    options.intervalMs,
    async () => {
      const run = await runOnce(clock());
      for (const failure of run.failed) report(failure.error, idOf(failure));
      options.onRun?.(run);
    },
    (error) => report(error),
  );
};
