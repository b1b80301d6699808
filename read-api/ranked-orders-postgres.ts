import type pg from 'pg';
import { createUnderLock } from '../projections/runtime/postgres-transaction.js';
import { RANKING } from '../projections/feed/ranking.js';
import type { RankedOrders, RankedOrdersOptions } from './ranked-orders.js';

// One row per session in an UNLOGGED table (a cache: a crash that empties it only makes open
// cursors refused). A save, in one statement, deletes the viewer's sessions past the cap (the
// oldest first) and up to PURGE_PER_SAVE expired rows of anyone, so the table holds about the
// sessions of the last TTL without a timer of its own.
const PURGE_PER_SAVE = 100;

const SCHEMA = `create unlogged table if not exists ranked_orders (
  viewer_id uuid not null,
  session_id uuid not null,
  post_ids uuid[] not null,
  expires_at timestamptz not null,
  primary key (viewer_id, session_id)
);
create index if not exists ranked_orders_expiry on ranked_orders (expires_at)`;

const SAVE = `with purged as (
  delete from ranked_orders where ctid = any (array(select ctid from ranked_orders where expires_at <= to_timestamp($4::float8 / 1000) limit ${PURGE_PER_SAVE}))
), pushed_out as (
  delete from ranked_orders where viewer_id = $1::uuid and session_id <> $2::uuid and session_id not in (
    select session_id from ranked_orders where viewer_id = $1::uuid and session_id <> $2::uuid order by expires_at desc, session_id limit $6::int - 1)
)
insert into ranked_orders (viewer_id, session_id, post_ids, expires_at)
values ($1::uuid, $2::uuid, $3::uuid[], to_timestamp(($4::float8 + $5::float8) / 1000))
on conflict (viewer_id, session_id) do update set post_ids = excluded.post_ids, expires_at = excluded.expires_at`;

export const createPostgresRankedOrders = async (
  pool: pg.Pool,
  { ttlMs = RANKING.SESSION_TTL_MS, sessionsPerViewer = RANKING.SESSIONS_PER_VIEWER }: RankedOrdersOptions = {},
): Promise<RankedOrders> => {
  await createUnderLock(pool, 'ranked-orders-schema', SCHEMA);
  return {
    async save(viewerId, sessionId, postIds, nowMs) {
      await pool.query(SAVE, [viewerId, sessionId, postIds, nowMs, ttlMs, sessionsPerViewer]);
    },
    async load(viewerId, sessionId, nowMs) {
      const { rows } = await pool.query<{ post_ids: string[] }>({
        name: 'ranked-orders-load',
        text: 'select post_ids from ranked_orders where viewer_id = $1::uuid and session_id = $2::uuid and expires_at > to_timestamp($3::float8 / 1000)',
        values: [viewerId, sessionId, nowMs],
      });
      return rows[0]?.post_ids ?? null;
    },
  };
};
