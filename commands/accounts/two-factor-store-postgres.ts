import type pg from 'pg';
import type { TwoFactorRecord, TwoFactorStore } from './two-factor-store.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

// Beside `credentials` (credentials-store-postgres.ts), each row going with its account's.
const SCHEMA = `
  create table if not exists two_factor (
    user_id uuid primary key,
    sealed_secret text not null,
    enabled_at timestamptz,
    last_used_step bigint
  );
  create table if not exists two_factor_recovery_codes (
    user_id uuid not null,
    code_hash text not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
  );
  create table if not exists two_factor_challenges (
    challenge_hash text primary key,
    user_id uuid not null,
    expires_at timestamptz not null,
    attempts int not null default 0
  );
  create index if not exists two_factor_challenges_expiry on two_factor_challenges (expires_at)`;

interface Row {
  sealed_secret: string;
  enabled_at: Date | null;
  last_used_step: string | null;
}

const recordOf = (row: Row | undefined): TwoFactorRecord | null =>
  row ? { sealedSecret: row.sealed_secret, enabledAt: row.enabled_at, lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step) } : null;

export const createPostgresTwoFactorStore = async (pool: pg.Pool): Promise<TwoFactorStore> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'two-factor-schema', SCHEMA);
  return {
    async find(userId) {
      const { rows } = await pool.query<Row>('select sealed_secret, enabled_at, last_used_step from two_factor where user_id = $1', [userId]);
      return recordOf(rows[0]);
    },
    async enroll(userId, sealedSecret) {
      const { rowCount } = await pool.query(
        `insert into two_factor (user_id, sealed_secret) values ($1, $2)
         on conflict (user_id) do update set sealed_secret = excluded.sealed_secret, last_used_step = null where two_factor.enabled_at is null`,
        [userId, sealedSecret],
      );
      return rowCount === 1;
    },
    async useStep(userId, step) {
      const { rowCount } = await pool.query('update two_factor set last_used_step = $2 where user_id = $1 and (last_used_step is null or last_used_step < $2)', [
        userId,
        step,
      ]);
      return rowCount === 1;
    },
    // One statement each for enable and disable: their writes to the three tables land together.
    async enable(userId, recoveryCodeHashes) {
      const { rows } = await pool.query<{ enabled: number }>(
        `with enabled as (update two_factor set enabled_at = now() where user_id = $1 and enabled_at is null returning user_id),
              cleared as (delete from two_factor_recovery_codes where user_id in (select user_id from enabled)),
              added as (insert into two_factor_recovery_codes (user_id, code_hash) select user_id, unnest($2::text[]) from enabled)
         select count(*)::int as enabled from enabled`,
        [userId, recoveryCodeHashes],
      );
      return rows[0]!.enabled === 1;
    },
    async useRecoveryCode(userId, codeHash) {
      const { rowCount } = await pool.query('update two_factor_recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null', [
        userId,
        codeHash,
      ]);
      return rowCount === 1;
    },
    async disable(userId) {
      await pool.query(
        `with secret as (delete from two_factor where user_id = $1), codes as (delete from two_factor_recovery_codes where user_id = $1)
         delete from two_factor_challenges where user_id = $1`,
        [userId],
      );
    },
    async addChallenge(challengeHash, userId, expiresAt, now) {
      // Expired challenges go as new ones come: the table stays the size of five minutes of logins.
      await pool.query('delete from two_factor_challenges where expires_at <= $1', [now]);
      await pool.query('insert into two_factor_challenges (challenge_hash, user_id, expires_at) values ($1, $2, $3)', [challengeHash, userId, expiresAt]);
    },
    async attemptChallenge(challengeHash, now, maxAttempts) {
      const { rows } = await pool.query<{ user_id: string }>(
        'update two_factor_challenges set attempts = attempts + 1 where challenge_hash = $1 and expires_at > $2 and attempts < $3 returning user_id',
        [challengeHash, now, maxAttempts],
      );
      return rows[0]?.user_id ?? null;
    },
    async endChallenge(challengeHash) {
      const { rowCount } = await pool.query('delete from two_factor_challenges where challenge_hash = $1', [challengeHash]);
      return rowCount === 1;
    },
  };
};
