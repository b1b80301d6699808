import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Settings } from '../../app/config.js';
import type { KafkaSettings } from '../../app/kafka-fan-out.js';
import type { ErasureTestHooks } from '../../app/erasure-worker.js';
import { createPlatform, type Platform } from '../../app/platform.js';
import type { ScryptParams } from '../../commands/accounts/password.js';
import type { RateLimitStore } from '../../app/rate-limit/store.js';
import { buildServer } from '../../app/server.js';
import { apiClient } from './api-client.js';
import { defaultSettings, TEST_MEDIA_EXTERNAL_HOSTS, TEST_PERSONAL_DATA_KEY } from './settings.js';
import { createTestDatabase, withSearchPath, type TestDatabase } from './test-database.js';
import { createTestRedis, type TestRedis } from './test-redis.js';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  db: TestDatabase;
  redis: TestRedis | null;
  /** The Elasticsearch URL and index prefix when search runs in Elasticsearch. */
  elasticsearch: { url: string; prefix: string } | null;
  /**
   * Every committed event, in commit-table order. Read straight from the table: the global-log
   * reader of the port rightly holds back events while older transactions anywhere on the server
   * are still open, which would make "what was appended" checks depend on other test files.
   */
  allEvents(): Promise<{ type: string; streamId: string }[]>;
  /** What the outbox mailer printed (when no SMTP_URL is given), one entry per mail. */
  mailLog: string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  storyTtlMs?: number;
  /** Feeds and stories in the real Redis (under a prefix of this test's own) instead of PostgreSQL. */
  redis?: boolean;
  /** With `redis`: a Redis server of the test's own (one it stops and starts) instead of the shared one. */
  redisUrl?: string;
  celebrityThreshold?: number;
  /** Search in the real Elasticsearch of the test run (indexes under a prefix of this test's own). */
  elasticsearch?: boolean;
  /** Feed fan-out through Kafka, with the fan-out workers in this process (as role 'all' runs them). */
  kafka?: KafkaSettings;
  /** MEDIA_EXTERNAL_HOSTS (default TEST_MEDIA_EXTERNAL_HOSTS); `media` for the rest of the media settings (a CDN base URL). */
  mediaExternalHosts?: readonly string[];
  media?: Partial<Settings['media']>;
  /** The media workers (processing, janitor, sweeper) of role 'all' (default true); off for tests that record processing results themselves. */
  mediaWorkers?: boolean;
  /** A following cap lower than FOLLOWING_MAX (createPlatform's option). */
  followingMax?: number;
  /**
   * Rate limits: off unless given (the other tests make many requests from one address). Limits
   * for the classes named (the rest keep their defaults); `trustProxy` and `now` as buildServer takes them.
   */
  rateLimits?: {
    limits?: Partial<Settings['rateLimits']['limits']>;
    trustProxy?: boolean | number | string[];
    now?: () => number;
    /** In place of the platform's bucket store (a store whose server is down). */
    store?: RateLimitStore;
  };
  /** Pool sizes and timeouts, and the HTTP bounds (request timeouts, stream caps), over the defaults. */
  database?: Partial<Settings['database']>;
  serving?: Partial<Settings['serving']>;
  /** Token lifetimes (ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL) over the defaults. */
  sessions?: Partial<Settings['sessions']>;
  /** SMTP_URL, MAIL_FROM and the link lifetimes, over the defaults (the outbox mailer). */
  mail?: Partial<Settings['mail']>;
  /** scrypt's cost (default TEST_PASSWORD_PARAMS; the platform's PARAMS to test the real one). */
  passwordParams?: ScryptParams;
  /** The clock TOTP codes and login challenges are checked against (createPlatform's twoFactorClock), so that a test computes the codes. */
  twoFactorClock?: () => number;
  /** ACCOUNT_DELETION_GRACE and ACCOUNT_ERASURE_INTERVAL over the defaults (30 days, a minute). */
  accountDeletion?: Partial<Settings['accountDeletion']>;
  /** The erasure worker's wait after destroying a key (default KEY_CACHE_TTL_MS) and its hook after each step. */
  erasure?: ErasureTestHooks;
  /** A web client build to serve at / (buildServer's webRoot); none by default. */
  webRoot?: string;
  /**
   * DATABASE_URL on this primary (the test's schema made there) and DATABASE_READ_URL on its
   * streaming replica (the same schema, once replayed): test/support/postgres-replica.ts.
   */
  readReplica?: { primaryUrl: string; replicaUrl: string };
  /** How long a ?minPosition= read waits (default 10 s). */
  freshnessTimeoutMs?: number;
}

/** Cheaper than password.ts PARAMS (N=2^17, 128 MiB a hash): the cost the suite ran with before, so that its many registrations stay quick. */
export const TEST_PASSWORD_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/**
 * The real HTTP API, with its projectors and story expiry running, on a fresh schema of the real
 * PostgreSQL (and a fresh key prefix of the real Redis), driven with app.inject.
 */
export const startTestApp = async (options: TestAppOptions = {}): Promise<TestApp> => {
  const db = await createTestDatabase(options.readReplica?.primaryUrl);
  const redis = options.redis ? await createTestRedis(options.redisUrl) : null;
  const defaults = defaultSettings();
  // The local media storage's files (and its URL secret) in a directory of this app's own.
  const dataDir = await mkdtemp(join(tmpdir(), 'ig-test-app-'));
  const mailLog: string[] = [];
  const platform = await createPlatform({
    ...defaults,
    dataDir,
    databaseUrl: db.url,
    databaseReadUrl: options.readReplica && withSearchPath(options.readReplica.replicaUrl, db.schema),
    jwtSecrets: ['test-secret-that-is-at-least-32-characters-long'],
    personalDataKey: TEST_PERSONAL_DATA_KEY,
    storyTtlMs: options.storyTtlMs ?? defaults.storyTtlMs,
    redisUrl: redis?.url,
    elasticsearchUrl: options.elasticsearch ? inject('elasticsearchUrl') : undefined,
    prefixes: { redis: redis?.prefix ?? defaults.prefixes.redis, elasticsearch: options.elasticsearch ? `${db.schema}-` : defaults.prefixes.elasticsearch },
    feed: { ...defaults.feed, celebrityThreshold: options.celebrityThreshold ?? defaults.feed.celebrityThreshold },
    kafka: options.kafka,
    media: { ...defaults.media, externalHosts: options.mediaExternalHosts ?? TEST_MEDIA_EXTERNAL_HOSTS, ...options.media },
    rateLimits: options.rateLimits
      ? { enabled: true, limits: { ...defaults.rateLimits.limits, ...options.rateLimits.limits } }
      : { ...defaults.rateLimits, enabled: false },
    // Patient reads, and expiry and generation switches seen sooner than a deployment needs.
    tuning: { ...defaults.tuning, freshnessTimeoutMs: options.freshnessTimeoutMs ?? 10_000, storyExpiryIntervalMs: 200, generationWatchIntervalMs: 100 },
    // Small pools: two test files run at once against one PostgreSQL (max_connections 100 by
    // default), each with an API pool, a workers' pool and, after a rebuild, a pool per generation.
    database: { ...defaults.database, apiPoolSize: 4, workerPoolSize: 4, ...options.database },
    serving: { ...defaults.serving, ...options.serving },
    sessions: { ...defaults.sessions, ...options.sessions },
    mail: { ...defaults.mail, ...options.mail },
    accountDeletion: { ...defaults.accountDeletion, ...options.accountDeletion },
  }, {
    mediaWorkers: options.mediaWorkers ?? true,
    followingMax: options.followingMax,
    passwordParams: options.passwordParams ?? TEST_PASSWORD_PARAMS,
    mailLog: (line) => mailLog.push(line),
    twoFactorClock: options.twoFactorClock,
    erasure: options.erasure,
  });
  const app = await buildServer({
    ...platform,
    // Errors only: an answer of 500 INTERNAL (a bug: no request should get one) prints its cause in the test's output.
    logger: { level: 'error' },
    rateLimits: { ...platform.rateLimits, store: options.rateLimits?.store ?? platform.rateLimits.store },
    trustProxy: options.rateLimits?.trustProxy,
    now: options.rateLimits?.now,
    webRoot: options.webRoot,
  });
  return {
    app,
    platform,
    db,
    redis,
    elasticsearch: options.elasticsearch ? { url: inject('elasticsearchUrl'), prefix: `${db.schema}-` } : null,
    async allEvents() {
      const { rows } = await db.pool.query<{ type: string; streamId: string }>(
        'select type, stream_id as "streamId" from events order by global_position',
      );
      return rows;
    },
    mailLog,
    async close() {
      await app.close();
      await platform.close();
      await db.drop();
      await redis?.drop();
      await rm(dataDir, { recursive: true, force: true });
      if (options.elasticsearch) await dropElasticsearchPrefix(inject('elasticsearchUrl'), `${db.schema}-`);
    },
  };
};

export type ApiClient = ReturnType<typeof apiClient>;

/**
 * The preamble of an e2e file: the test app started before its tests and closed after them, and
 * an api client on it. `const { t, api } = useTestApp()` at the top of the file; `t` and `api`
 * stand for the app and client that beforeAll starts (using them before it has run throws).
 */
export const useTestApp = (options: TestAppOptions = {}): { t: TestApp; api: ApiClient } => {
  let started: { t: TestApp; api: ApiClient } | undefined;
  beforeAll(async () => {
    const t = await startTestApp(options);
    started = { t, api: apiClient(t.app) };
  });
  afterAll(() => started?.t.close());
  return { t: lateBound(() => started?.t), api: lateBound(() => started?.api) };
};

/** Stands for the object `current()` returns once there is one: every property read is forwarded to it. */
const lateBound = <T extends object>(current: () => T | undefined): T =>
  new Proxy({} as T, {
    get(_, property) {
      const target = current();
      if (!target) throw new Error('the test app is used before beforeAll started it');
      return Reflect.get(target, property);
    },
  });

/** Deletes this test's indexes, aliases and templates (wildcard deletes are allowed on the test node). */
const dropElasticsearchPrefix = async (url: string, prefix: string) => {
  await fetch(`${url}/_index_template/${prefix}*`, { method: 'DELETE' }).catch(() => undefined);
  await fetch(`${url}/${prefix}*?expand_wildcards=all`, { method: 'DELETE' }).catch(() => undefined);
};
