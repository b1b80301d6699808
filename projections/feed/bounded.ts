/**
 * Runs `work` for each item of `items` (sync or async iterable), at most `limit` at once, in
 * order of arrival. Rejects with the first failure, but only once all started work has settled,
 * so nothing keeps writing after the caller has been told the batch failed.
 */
export const forEachBounded = async <T>(items: AsyncIterable<T> | Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> => {
  const running = new Set<Promise<void>>();
  const failures: unknown[] = [];
  for await (const item of items) {
    const task: Promise<void> = work(item)
      .catch((error: unknown) => void failures.push(error))
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
    if (failures.length > 0) break;
  }
  await Promise.all(running);
  if (failures.length > 0) throw failures[0];
};

/** Runs every work at once; rejects with the first failure once all have settled (as above). */
export const allSettling = (works: readonly (() => Promise<unknown>)[]): Promise<void> =>
  forEachBounded(works, Math.max(1, works.length), async (work) => void (await work()));
