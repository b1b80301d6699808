import type pg from 'pg';
import { takeOf, type RateLimitStore } from './store.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

// One row per bucket; one upsert refills it for the time since its last take and takes a token
// if there is a whole one. Buckets full again are deleted now and then (a missing bucket is full):
// app/rate-limit/purge.ts runs purgeFull in every process that serves HTTP. No index on
// full_at_ms: every take updates it, and an index would cost each take its HOT update; the purge's
// scan is bounded by the rows alive within one window.
const SCHEMA = `
  create table if not exists rate_limit_buckets (
    key text primary key,
    tokens float8 not null,
    at_ms float8 not null,
    allowed boolean not null,
    full_at_ms float8 not null
  )`;

// The refilled tokens of the row as it was (SET expressions all read the old row).
const REFILLED = 'least($2::float8, b.tokens + greatest(0::float8, $4::float8 - b.at_ms) * $2::float8 / $3::float8)';
const LEFT = `case when ${REFILLED} >= 1 then ${REFILLED} - 1 else ${REFILLED} end`;
const TAKE = `
  insert into rate_limit_buckets as b (key, tokens, at_ms, allowed, full_at_ms)
  values ($1, $2::float8 - 1, $4::float8, true, $4::float8 + $3::float8 / $2::float8)
  on conflict (key) do update set
    allowed = ${REFILLED} >= 1,
    tokens = ${LEFT},
    at_ms = greatest(b.at_ms, $4::float8),
    full_at_ms = greatest(b.at_ms, $4::float8) + ($2::float8 - ${LEFT}) * $3::float8 / $2::float8
  returning allowed, tokens`;

// At most `$2` rows full by `$1`. The condition is checked again on the row being deleted (READ
// COMMITTED re-reads a row updated meanwhile), so a bucket a concurrent take has just drained stays.
const PURGE = `
  delete from rate_limit_buckets
  where key in (select key from rate_limit_buckets where full_at_ms <= $1 limit $2) and full_at_ms <= $1`;

export interface PurgeableRateLimitStore extends RateLimitStore {
  /** Deletes at most `batch` buckets that are full again at `nowMs` (a missing bucket is a full one); answers how many. */
  purgeFull(nowMs: number, batch: number): Promise<number>;
}

export const createPostgresRateLimitStore = async (pool: pg.Pool): Promise<PurgeableRateLimitStore> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'rate-limit-schema', SCHEMA);
  return {
    async take(key, limit, windowMs, nowMs) {
      const { rows } = await pool.query<{ allowed: boolean; tokens: number }>(TAKE, [key, limit, windowMs, nowMs]);
      const row = rows[0]!;
      return takeOf(row.allowed, row.tokens, limit, windowMs);
    },
    async purgeFull(nowMs, batch) {
      const { rowCount } = await pool.query(PURGE, [nowMs, batch]);
      return rowCount ?? 0;
    },
  };
};
