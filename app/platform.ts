import { Redis } from 'ioredis';
import pg from 'pg';
import { createPostgresCredentialsStore } from '../commands/accounts/credentials-store-postgres.js';
import { createTokenService } from '../commands/accounts/tokens.js';
import type { CommandDeps } from '../commands/deps.js';
import { createPostgresIdempotencyStore } from '../commands/idempotency/idempotency-store-postgres.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import type { ReadDeps } from '../read-api/deps.js';
import { createReadModels, type ReadModels } from './read-models.js';
import { createFreshness } from './freshness.js';
import { startBackgroundWork, type BackgroundWork } from './background-work.js';

export interface PlatformSettings {
  databaseUrl: string;
  jwtSecret: string;
  storyTtlMs: number;
  poolSize?: number;
  /** Feeds and stories in Redis when set; in PostgreSQL otherwise. */
  redisUrl?: string;
  /** Prefix of every Redis key (tests give each file its own). */
  redisPrefix?: string;
  celebrityThreshold?: number;
  /** Run the projectors and the story expiry process in this process (default true). */
  background?: boolean;
  /** How long a read with ?minPosition= waits for the projections (default 2 s). */
  freshnessTimeoutMs?: number;
  storyExpiryIntervalMs?: number;
}

export interface Platform {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  reads: ReadDeps;
  readModels: ReadModels;
  background: BackgroundWork | null;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The composition root: the backends chosen by configuration, wired into the ports. */
export const createPlatform = async (settings: PlatformSettings): Promise<Platform> => {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize ?? 10 });
  // An idle client losing its connection (a restart of PostgreSQL) must not crash the process.
  pool.on('error', () => undefined);
  const redis = settings.redisUrl ? new Redis(settings.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 2 }) : null;
  redis?.on('error', () => undefined); // reported per command as 503s; ioredis reconnects by itself

  const store = await createPostgresEventStore(pool);
  const credentials = await createPostgresCredentialsStore(pool);
  const idempotency = await createPostgresIdempotencyStore(pool);
  const tokens = createTokenService(settings.jwtSecret);
  const commands: CommandDeps = { store, credentials, tokens, storyTtlMs: settings.storyTtlMs };

  const readModels = createReadModels({ pool, redis, redisPrefix: settings.redisPrefix, celebrityThreshold: settings.celebrityThreshold });
  await Promise.all(readModels.projections.map((projection) => projection.setup()));
  const reads: ReadDeps = {
    ...readModels.readers,
    freshness: createFreshness(readModels.projections, settings.freshnessTimeoutMs ?? 2_000),
    now: () => new Date(),
  };
  const background =
    settings.background === false
      ? null
      : startBackgroundWork({ commands, readModels, storyExpiryIntervalMs: settings.storyExpiryIntervalMs ?? 1_000 });

  return {
    commands,
    idempotency,
    reads,
    readModels,
    background,
    pool,
    async close() {
      await background?.stop();
      await store.close();
      redis?.disconnect();
      await pool.end();
    },
  };
};
