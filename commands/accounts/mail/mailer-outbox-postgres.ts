import type pg from 'pg';
import type { Mailer } from './mailer.js';
import { createUnderLock } from '../../../events/postgres/transaction.js';

const SCHEMA = `
  create table if not exists mail_outbox (
    id bigserial primary key,
    recipient text not null,
    subject text not null,
    body text not null,
    created_at timestamptz not null default now()
  )`;

/**
 * Deletes the outbox's mails to `address` (the erasure of its account, workers/erasure/). The table
 * may be absent (a deployment that always had SMTP_URL): nothing to delete then.
 */
export const eraseOutboxMail = async (pool: pg.Pool, address: string): Promise<void> => {
  const { rows } = await pool.query<{ present: boolean }>(`select to_regclass('mail_outbox') is not null as present`);
  if (rows[0]?.present) await pool.query('delete from mail_outbox where lower(recipient) = lower($1)', [address]);
};

/**
 * The embedded default (no SMTP_URL): each mail is kept in the mail_outbox table and printed on
 * `log`, link included. It is meant for running the service locally, where printing the link is
 * what makes a reset or a verification usable at all; a deployment sets SMTP_URL, and then no
 * link reaches the logs.
 */
export const createPostgresOutboxMailer = async (pool: pg.Pool, log: (line: string) => void): Promise<Mailer> => {
  // Under a lock: processes starting together on a fresh database would race on the catalog.
  await createUnderLock(pool, 'mail-outbox-schema', SCHEMA);
  return {
    async send({ to, subject, text }) {
      await pool.query('insert into mail_outbox (recipient, subject, body) values ($1, $2, $3)', [to, subject, text]);
      log(`[mail outbox] to ${to}: ${subject}\n${text}`);
    },
    async close() {},
  };
};
