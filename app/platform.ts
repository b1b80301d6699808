import pg from 'pg';
import { createPostgresCredentialsStore } from '../commands/accounts/credentials-store-postgres.js';
import { createTokenService } from '../commands/accounts/tokens.js';
import type { CommandDeps } from '../commands/deps.js';
import { createPostgresIdempotencyStore } from '../commands/idempotency/idempotency-store-postgres.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import { createPostgresEventStore } from '../events/postgres/index.js';

export interface PlatformSettings {
  databaseUrl: string;
  jwtSecret: string;
  storyTtlMs: number;
  poolSize?: number;
}

export interface Platform {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The composition root: the backends chosen by configuration, wired into the ports. */
export const createPlatform = async (settings: PlatformSettings): Promise<Platform> => {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize ?? 10 });
  // An idle client losing its connection (a restart of PostgreSQL) must not crash the process.
  pool.on('error', () => undefined);
  const store = await createPostgresEventStore(pool);
  const credentials = await createPostgresCredentialsStore(pool);
  const idempotency = await createPostgresIdempotencyStore(pool);
  const tokens = createTokenService(settings.jwtSecret);
  return {
    commands: { store, credentials, tokens, storyTtlMs: settings.storyTtlMs },
    idempotency,
    pool,
    async close() {
      await store.close();
      await pool.end();
    },
  };
};
