import type pg from 'pg';
import { deferredCounts } from '../runtime/deferred-counts.js';
import { inTransaction } from '../runtime/postgres-transaction.js';

// The profiles' counters whose moves a build defers (runtime/deferred-counts.ts).
export const PROFILE_COUNTS = deferredCounts([
  { table: 'users', counters: ['follower_count', 'following_count', 'post_count'] },
  { table: 'posts', counters: ['like_count', 'comment_count', 'share_count'] },
  { table: 'comments', counters: ['reply_count'] },
]);

export const DEFERRED_COUNT_TABLES = PROFILE_COUNTS.tables;

export const createDeferredCountTables = (pool: pg.Pool): Promise<unknown> => PROFILE_COUNTS.create(pool);

export const deferCounts = PROFILE_COUNTS.defer;

/** Adds every deferred delta to its row, in one transaction (runtime/deferred-counts.ts addAll). */
export const addDeferredCounts = (pool: pg.Pool): Promise<void> => inTransaction(pool, (db) => PROFILE_COUNTS.addAll(db));
