// Events applied per second over a sliding window, for a projector's status. Samples are kept
// per batch, so memory stays bounded by the batches of one window.
export interface RateMeter {
  record(count: number): void;
  perSecond(): number;
}

export const createRateMeter = (windowMs = 10_000, now: () => number = () => performance.now()): RateMeter => {
  const started = now();
  let samples: { at: number; count: number }[] = [];
  const prune = (at: number) => {
    samples = samples.filter((sample) => sample.at > at - windowMs);
  };
  return {
    record(count) {
      const at = now();
      prune(at);
      if (count > 0) samples.push({ at, count });
    },
    perSecond() {
      const at = now();
      prune(at);
      // Until a whole window has passed, divide by the time the projector has actually run.
      const span = Math.max(1, Math.min(windowMs, at - started));
      return (samples.reduce((sum, sample) => sum + sample.count, 0) * 1000) / span;
    },
  };
};
