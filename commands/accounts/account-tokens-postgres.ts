import type pg from 'pg';
import type { ErasableAccountTokenStore } from './account-tokens.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

// Expiry by the database's clock, the one that stamps every row here.
const SCHEMA = `
  create table if not exists account_tokens (
    token_hash text primary key,
    user_id uuid not null,
    purpose text not null,
    expires_at timestamptz not null,
    used_at timestamptz
  );
  create index if not exists account_tokens_user on account_tokens (user_id, purpose)`;

export const createPostgresAccountTokenStore = async (pool: pg.Pool): Promise<ErasableAccountTokenStore> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'account-tokens-schema', SCHEMA);
  return {
    async issue({ tokenHash, userId, purpose, ttlMs }) {
      // Earlier links of this purpose go (used or not, expired or not: nothing reads them again).
      await pool.query(
        `with earlier as (delete from account_tokens where user_id = $2 and purpose = $3)
         insert into account_tokens (token_hash, user_id, purpose, expires_at) values ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
        [tokenHash, userId, purpose, ttlMs],
      );
    },
    async consume(tokenHash, purpose) {
      // One statement: of two concurrent uses of one token, only one finds it unused.
      const { rows } = await pool.query<{ user_id: string }>(
        `update account_tokens set used_at = now()
         where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()
         returning user_id`,
        [tokenHash, purpose],
      );
      const userId = rows[0]?.user_id ?? null;
      if (userId) await pool.query('delete from account_tokens where user_id = $1 and purpose = $2 and token_hash <> $3', [userId, purpose, tokenHash]);
      return userId;
    },
    async erase(userId) {
      await pool.query('delete from account_tokens where user_id = $1', [userId]);
    },
  };
};
