import type pg from 'pg';
import type { CredentialsStore } from './credentials-store.js';

const SCHEMA = `
  create table if not exists credentials (
    user_id uuid primary key,
    username text not null unique,
    email text not null unique,
    password_hash text not null,
    created_at timestamptz not null default now()
  )`;

const UNIQUE_VIOLATION = '23505';

export const createPostgresCredentialsStore = async (pool: pg.Pool): Promise<CredentialsStore> => {
  await pool.query(SCHEMA);
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
    async emailTaken(email) {
      const { rowCount } = await pool.query('select 1 from credentials where email = $1', [email.toLowerCase()]);
      return (rowCount ?? 0) > 0;
    },
    async findByLogin(login) {
      const { rows } = await pool.query<{ user_id: string; username: string; email: string; password_hash: string }>(
        'select user_id, username, email, password_hash from credentials where username = $1 or email = $1 limit 1',
        [login.toLowerCase()],
      );
      const row = rows[0];
      return row ? { userId: row.user_id, username: row.username, email: row.email, passwordHash: row.password_hash } : null;
    },
  };
};
