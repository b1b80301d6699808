/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Exponential backoff with jitter: attempt 1 waits about `initialMs`, doubling up to `maxMs`. */
export const backoffDelay = (attempt: number, initialMs: number, maxMs: number): number => {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  // Jitter keeps several failing instances from retrying against the database in lockstep.
  return Math.round(base * (0.75 + Math.random() * 0.5));
};
