import type pg from 'pg';
import type { ErasableCredentialsStore, StoredCredentials } from './credentials-store.js';
import { createUnderLock } from '../../events/postgres/transaction.js';

const SCHEMA = `
  create table if not exists credentials (
    user_id uuid primary key,
    username text not null unique,
    email text not null unique,
    password_hash text not null,
    created_at timestamptz not null default now()
  );
  -- Null until the account follows its verification link (account-mail.ts); added to tables from before it.
  alter table credentials add column if not exists email_verified_at timestamptz`;

const UNIQUE_VIOLATION = '23505';

interface Row {
  user_id: string;
  username: string;
  email: string;
  password_hash: string;
  email_verified_at: Date | null;
}

const COLUMNS = 'user_id, username, email, password_hash, email_verified_at';

const credentialsOf = (row: Row | undefined): StoredCredentials | null =>
  row
    ? { userId: row.user_id, username: row.username, email: row.email, passwordHash: row.password_hash, emailVerified: row.email_verified_at !== null }
    : null;

export const createPostgresCredentialsStore = async (pool: pg.Pool): Promise<ErasableCredentialsStore> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'credentials-schema', SCHEMA);
  return {
    async insert({ userId, username, email, passwordHash }) {
      try {
        await pool.query('insert into credentials (user_id, username, email, password_hash) values ($1, $2, $3, $4)', [
          userId,
          username.toLowerCase(),
          email.toLowerCase(),
          passwordHash,
        ]);
        return 'ok';
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code !== UNIQUE_VIOLATION) throw error;
        return constraint?.includes('email') ? 'email_taken' : 'username_taken';
      }
    },
    async findByLogin(login) {
      const { rows } = await pool.query<Row>(`select ${COLUMNS} from credentials where username = $1 or email = $1 limit 1`, [login.toLowerCase()]);
      return credentialsOf(rows[0]);
    },
    async findById(userId) {
      const { rows } = await pool.query<Row>(`select ${COLUMNS} from credentials where user_id = $1`, [userId]);
      return credentialsOf(rows[0]);
    },
    async setPasswordHash(userId, passwordHash) {
      await pool.query('update credentials set password_hash = $2 where user_id = $1', [userId, passwordHash]);
    },
    async markEmailVerified(userId) {
      await pool.query('update credentials set email_verified_at = coalesce(email_verified_at, now()) where user_id = $1', [userId]);
    },
    async erase(userId) {
      await pool.query('delete from credentials where user_id = $1', [userId]);
    },
  };
};
