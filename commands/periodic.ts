// A task run every `intervalMs`, one run at a time: the next is scheduled when the last has
// finished, so a slow run never overlaps the next. Used by the story expiry
// (commands/stories/expire-stories.ts) and the media sweeper (workers/media/sweeper.ts).

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
