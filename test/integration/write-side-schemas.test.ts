import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPostgresRateLimitStore } from '../../app/rate-limit/store-postgres.js';
import { createPostgresAccountTokenStore } from '../../commands/accounts/account-tokens-postgres.js';
import { createPostgresCredentialsStore } from '../../commands/accounts/credentials-store-postgres.js';
import { createPostgresOutboxMailer } from '../../commands/accounts/mail/mailer-outbox-postgres.js';
import { createPostgresSessionStore } from '../../commands/accounts/session-store-postgres.js';
import { createPostgresTwoFactorStore } from '../../commands/accounts/two-factor-store-postgres.js';
import { createPostgresIdempotencyStore } from '../../commands/idempotency/idempotency-store-postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The write side's stores create their tables at start. Processes of several roles starting
// together on a fresh database (a compose file's api, projector and worker) would race on the
// catalog, which `create table if not exists` alone does not prevent (a unique violation in
// pg_type): each store's DDL runs under an advisory lock of its own.
let db: TestDatabase;
const pools: pg.Pool[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await db.drop();
});

it('every write-side store starts on a fresh database while five processes start the same ones at once', async () => {
  // A pool per "process": separate connections, so the DDL statements really run concurrently.
  for (let i = 0; i < 5; i++) pools.push(new pg.Pool({ connectionString: db.url, max: 7 }));
  const starts = pools.flatMap((pool) => [
    createPostgresRateLimitStore(pool),
    createPostgresIdempotencyStore(pool),
    createPostgresAccountTokenStore(pool),
    createPostgresCredentialsStore(pool),
    createPostgresOutboxMailer(pool, () => undefined),
    createPostgresTwoFactorStore(pool),
    createPostgresSessionStore(pool),
  ]);
  const outcomes = await Promise.allSettled(starts);
  expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  const { rows } = await pools[0]!.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`);
  expect(rows.map((row) => row.name)).toEqual(
    expect.arrayContaining(['account_tokens', 'credentials', 'idempotency_keys', 'mail_outbox', 'rate_limit_buckets', 'refresh_tokens', 'sessions', 'stream_tickets', 'two_factor', 'two_factor_challenges', 'two_factor_recovery_codes']),
  );
});
