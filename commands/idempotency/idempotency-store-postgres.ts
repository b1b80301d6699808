import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Claim, ErasableIdempotencyStore } from './idempotency-store.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

const SCHEMA = `
  create table if not exists idempotency_keys (
    scope text not null,
    key text not null,
    fingerprint text not null,
    status_code int,
    body text,
    locked_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    primary key (scope, key)
  );
  -- Who holds the claim (a fresh token per claim and takeover): complete and release compare it.
  alter table idempotency_keys add column if not exists claim_token text`;

export interface PostgresIdempotencyOptions {
  /** A claim older than this whose request never completed (the process died) may be taken over. */
  abandonAfterMs?: number;
  /** Keys are kept this long (Stripe keeps them 24 hours). */
  retentionMs?: number;
}

export const createPostgresIdempotencyStore = async (
  pool: pg.Pool,
  { abandonAfterMs = 60_000, retentionMs = 24 * 3600_000 }: PostgresIdempotencyOptions = {},
): Promise<ErasableIdempotencyStore & { purgeExpired(): Promise<number> }> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'idempotency-schema', SCHEMA);
  return {
    async claim(scope, key, fingerprint): Promise<Claim> {
      const token = randomUUID();
      const inserted = await pool.query(
        `insert into idempotency_keys (scope, key, fingerprint, claim_token) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [scope, key, fingerprint, token],
      );
      if (inserted.rowCount === 1) return { outcome: 'claimed', token };
      const { rows } = await pool.query<{ fingerprint: string; status_code: number | null; body: string | null; abandoned: boolean }>(
        `select fingerprint, status_code, body, locked_at < now() - make_interval(secs => $3::float8 / 1000) as abandoned
         from idempotency_keys where scope = $1 and key = $2`,
        [scope, key, abandonAfterMs],
      );
      const row = rows[0];
      if (!row) return { outcome: 'in_progress' }; // purged in between: the caller polls and claims afresh
      if (row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
      if (row.status_code !== null) return { outcome: 'replay', response: { statusCode: row.status_code, body: row.body ?? '' } };
      if (!row.abandoned) return { outcome: 'in_progress' };
      // Taken over: the old holder's token no longer completes or releases it.
      const taken = await pool.query(
        `update idempotency_keys set locked_at = now(), claim_token = $4
         where scope = $1 and key = $2 and status_code is null
           and locked_at < now() - make_interval(secs => $3::float8 / 1000)`,
        [scope, key, abandonAfterMs, token],
      );
      return taken.rowCount === 1 ? { outcome: 'claimed', token } : { outcome: 'in_progress' };
    },
    async complete(scope, key, token, { statusCode, body }) {
      await pool.query(
        'update idempotency_keys set status_code = $4, body = $5 where scope = $1 and key = $2 and claim_token = $3 and status_code is null',
        [scope, key, token, statusCode, body],
      );
    },
    async release(scope, key, token) {
      // Released, not deleted: claimable at once by a repeat (locked "forever ago"), still bound to its fingerprint.
      await pool.query(
        `update idempotency_keys set locked_at = '-infinity', claim_token = null
         where scope = $1 and key = $2 and claim_token = $3 and status_code is null`,
        [scope, key, token],
      );
    },
    async erase(scope) {
      await pool.query('delete from idempotency_keys where scope = $1', [scope]);
    },
    async purgeExpired() {
      const { rowCount } = await pool.query(
        'delete from idempotency_keys where created_at < now() - make_interval(secs => $1::float8 / 1000)',
        [retentionMs],
      );
      return rowCount ?? 0;
    },
  };
};
