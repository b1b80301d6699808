import { runPeriodically, type Periodic } from '../../commands/periodic.js';
import type { PurgeableRateLimitStore } from './store-postgres.js';
import type { RateLimitStore } from './store.js';

// The PostgreSQL buckets do not expire by themselves as Redis keys do: every process that serves
// HTTP (and so takes from them) deletes those full again, a bounded batch a minute, so that the
// table holds about the buckets used within one window. Rows past a batch wait for the next run.
export const BUCKET_PURGE_INTERVAL_MS = 60_000;
export const BUCKET_PURGE_BATCH = 10_000;

/** A store whose buckets need purging (PostgreSQL's; Redis keys expire by themselves). */
export const isPurgeable = (store: RateLimitStore): store is PurgeableRateLimitStore => 'purgeFull' in store;

export interface BucketPurgeOptions {
  intervalMs?: number;
  batch?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

/** Purges the full buckets now and then every `intervalMs` until stopped (commands/periodic.ts). */
export const purgeBucketsPeriodically = (
  store: Pick<PurgeableRateLimitStore, 'purgeFull'>,
  {
    intervalMs = BUCKET_PURGE_INTERVAL_MS,
    batch = BUCKET_PURGE_BATCH,
    now = Date.now,
    onError = (error) => console.error('[rate limits] purging the full buckets failed; retried on the next run', error),
  }: BucketPurgeOptions = {},
): Periodic =>
  runPeriodically(
    intervalMs,
    async () => {
      await store.purgeFull(now(), batch);
    },
    onError,
  );
