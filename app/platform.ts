import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import pg from 'pg';
import { createPostgresCredentialsStore } from '../commands/accounts/credentials-store-postgres.js';
import { createTokenService } from '../commands/accounts/tokens.js';
import { createAccountLinks } from '../commands/accounts/account-links.js';
import { createPostgresAccountTokenStore } from '../commands/accounts/account-tokens-postgres.js';
import { createPostgresOutboxMailer } from '../commands/accounts/mail/mailer-outbox-postgres.js';
import { createSmtpMailer } from '../commands/accounts/mail/mailer-smtp.js';
import { PARAMS as PASSWORD_PARAMS, type ScryptParams } from '../commands/accounts/password.js';
import { createPostgresSessionStore } from '../commands/accounts/session-store-postgres.js';
import { createSessions } from '../commands/accounts/sessions.js';
import { twoFactorKeyOf } from '../commands/accounts/two-factor.js';
import { createPostgresTwoFactorStore } from '../commands/accounts/two-factor-store-postgres.js';
import type { CommandDeps } from '../commands/deps.js';
import { createPostgresIdempotencyStore } from '../commands/idempotency/idempotency-store-postgres.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import { createPersonalDataEventStore, createPostgresKeyStore, type PersonalDataKeyStore } from '../events/personal-data/index.js';
import { openEventStore } from './event-store.js';
import { resolvePersonalDataKey } from './personal-data-key.js';
import { createPostgresPushBus } from '../projections/push/push-bus-postgres.js';
import { createRedisPushBus } from '../projections/push/push-bus-redis.js';
import type { PushBus } from '../projections/push/push-bus.js';
import type { ReadDeps } from '../read-api/deps.js';
import { createMediaPresenter } from '../read-api/media-presenter.js';
import { createCardCache } from '../read-api/card-cache.js';
import { feedViewerMarks, sqlViewerMarks } from '../read-api/viewer-marks.js';
import { createPostgresCardBus } from '../projections/profiles/card-bus-postgres.js';
import { createRedisCardBus } from '../projections/profiles/card-bus-redis.js';
import { PROFILES } from '../projections/profiles/profiles-projection.js';
import { watchRedisReadModels } from '../read-api/degraded.js';
import { createPostgresRankedOrders } from '../read-api/ranked-orders-postgres.js';
import { createRedisRankedOrders } from '../read-api/ranked-orders-redis.js';
import { openLiveReadModels, type LiveReadModels } from './live-read-models.js';
import { createReadModelCatalog } from './read-models.js';
import { createFreshness } from './freshness.js';
import { startBackgroundWork, type BackgroundWork } from './background-work.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectRedis } from './redis-client.js';
import type { RateLimitSettings } from './rate-limit/limits.js';
import { isPurgeable, purgeBucketsPeriodically } from './rate-limit/purge.js';
import { createPostgresRateLimitStore } from './rate-limit/store-postgres.js';
import { createRedisRateLimitStore } from './rate-limit/store-redis.js';
import type { RateLimitStore } from './rate-limit/store.js';
import { checkReadiness, type Readiness } from './readiness.js';
import { createParkingLot } from '../projections/runtime/parked-events.js';
import { backendOf, isTransientBackendError } from './http/backend-errors.js';
import { watchConsumerLag } from './kafka-consumer-lag.js';
import { createKafkaFanOutWiring, workersGroupOf } from './kafka-fan-out.js';
import { namedAsReplica, READ_REPLICA_APPLICATION_NAME, waitForReplay } from './read-replica.js';
import { accountScrub, type ErasureTestHooks } from './erasure-worker.js';
import { mediaWorkersOf } from './media-workers.js';
import { runsMediaWorkers, servesHttp } from './roles.js';
import { createMediaStorage } from './media-storage.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import type { DatabaseSettings, ServingLimits, Settings } from './config.js';
import { FOLLOWING_MAX } from '../kernel/limits.js';

/**
 * What the platform runs on: the settings of app/config.ts, with the two an entrypoint resolves
 * (the embedded PostgreSQL's URL, the signing keys: JWT_SECRETS, JWT_SECRET or the kept file) filled in. Each group goes unchanged to the
 * part that uses it.
 */
export type PlatformSettings = Omit<Settings, 'databaseUrl' | 'jwtSecret' | 'jwtSecrets' | 'http'> & { databaseUrl: string; jwtSecrets: readonly string[] };

export interface Platform {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  reads: ReadDeps;
  readModels: LiveReadModels;
  /** Pushes to connected clients: Redis pub/sub when Redis is configured, PostgreSQL LISTEN/NOTIFY otherwise. */
  push: PushBus;
  background: BackgroundWork | null;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  /** The API's pool (the projectors and workers have their own, not exposed). */
  pool: pg.Pool;
  /** Where media live; app/server.ts serves the local storage's signed URLs (an S3 store serves its own). */
  mediaStorage: MediaStorage;
  /** The limits, and their token buckets: in Redis when it is configured, in PostgreSQL otherwise (none when off). */
  rateLimits: { settings: RateLimitSettings; store: RateLimitStore | null };
  /** The HTTP bounds (request and socket timeouts) buildServer applies. */
  serving: ServingLimits;
  /** The per-person data keys that seal personal fields in events; destroying one is the crypto-shredding of an erasure. */
  personalDataKeys: PersonalDataKeyStore;
  close(): Promise<void>;
}

/** The composition root: the backends chosen by configuration, wired into the ports. */
/** What only tests change: a test that records processing results itself runs no media workers. */
export interface PlatformOptions {
  mediaWorkers?: boolean;
  /** A lower following cap than kernel/limits.ts FOLLOWING_MAX, so that a test need not follow 7,500 accounts. */
  followingMax?: number;
  /** Cheaper scrypt than commands/accounts/password.ts PARAMS (128 MiB and a quarter second a hash), so that tests registering many accounts stay quick. */
  passwordParams?: ScryptParams;
  /** Where the outbox mailer prints each mail (default: stdout). */
  mailLog?: (line: string) => void;
  /** The clock TOTP codes and login challenges are checked against (default Date.now): tests fix it to compute the codes an authenticator would show. */
  twoFactorClock?: () => number;
  /** The erasure worker's wait after destroying a key (tests: a few ms) and a hook after each of its steps (tests stop a run there). */
  erasure?: ErasureTestHooks;
}

export const createPlatform = async (
  settings: PlatformSettings,
  { mediaWorkers = true, followingMax, passwordParams, mailLog = (line) => console.log(line), twoFactorClock = Date.now, erasure }: PlatformOptions = {},
): Promise<Platform> => {
  const { tuning, role, prefixes, feed, notifications } = settings;
  // What close() undoes: each part registers its own close as it is created, and close() runs them
  // in reverse, so that a part closes before what it was built on (the fan-out workers and
  // projectors before the read models they write, those before the Kafka producer, the buses and
  // the pools they use).
  const teardown: (() => unknown)[] = [];
  const withTeardown = <T>(part: T, close: (part: T) => unknown): T => {
    teardown.push(() => close(part));
    return part;
  };

  // Two pools (docs/architecture.md "Processes"): the API's (commands, reads, idempotency keys,
  // rate-limit buckets) with statement and idle-transaction timeouts, and the projectors' and
  // workers' (none in role api), so that a flood of requests cannot starve the projectors, nor a
  // long rebuild batch the API. Both give up waiting for a connection after connectTimeoutMs: a
  // full pool answers 503, never a hang.
  const pool = withTeardown(createPool(settings.databaseUrl, settings.database, 'api'), (p) => p.end());
  // The read replica's (DATABASE_READ_URL, app/read-replica.ts): the read API's readers and the
  // checkpoint reads of its read-your-writes waits, sized and bounded as the API's.
  const readPool = settings.databaseReadUrl
    ? withTeardown(namedAsReplica(createPool(settings.databaseReadUrl, settings.database, 'api', READ_REPLICA_APPLICATION_NAME)), (p) => p.end())
    : null;
  const runsBackground = role !== 'api';
  const workerPool = runsBackground ? withTeardown(createPool(settings.databaseUrl, settings.database, 'worker'), (p) => p.end()) : null;
  // A Redis Cluster when REDIS_CLUSTER_NODES is set, else the single server of REDIS_URL (app/redis-client.ts).
  const redisClient = connectRedis(settings);
  const redis = redisClient ? withTeardown(redisClient, (r) => r.disconnect()) : null;
  const elasticsearch = settings.elasticsearchUrl
    ? withTeardown(new ElasticsearchClient({ node: settings.elasticsearchUrl, requestTimeout: 10_000 }), (es) => es.close())
    : null;

  const metrics = createMetrics();
  // Personal fields sealed per person at the store boundary (events/personal-data/), under data keys wrapped by the master key.
  const personalDataMasterKey = await resolvePersonalDataKey(settings.personalDataKey, settings.dataDir);
  const personalDataKeys = await createPostgresKeyStore(pool, personalDataMasterKey);
  const store = withTeardown(metrics.countAppends(createPersonalDataEventStore(await openEventStore(settings.eventStoreUrl, pool), personalDataKeys)), (s) => s.close());
  const credentials = await createPostgresCredentialsStore(pool);
  // TOTP secrets sealed under a key derived from the personal data master key (commands/accounts/two-factor.ts twoFactorKeyOf).
  const twoFactor = { store: await createPostgresTwoFactorStore(pool), secretKey: twoFactorKeyOf(personalDataMasterKey), now: twoFactorClock };
  const idempotency = await createPostgresIdempotencyStore(pool);
  const rateLimitStore = !settings.rateLimits.enabled
    ? null
    : redis
      ? createRedisRateLimitStore(redis, { prefix: prefixes.redis })
      : await createPostgresRateLimitStore(pool);
  // PostgreSQL buckets do not expire by themselves: the processes taking from them purge them (app/rate-limit/purge.ts).
  if (rateLimitStore && isPurgeable(rateLimitStore) && servesHttp(role)) withTeardown(purgeBucketsPeriodically(rateLimitStore), (purge) => purge.stop());
  const tokens = createTokenService(settings.jwtSecrets, Date.now, settings.sessions.accessTokenTtlMs);
  // Sessions and their revocations (commands/accounts/sessions.ts): every process listens for
  // revocations, so that any of them refuses a revoked session's access tokens at once.
  const sessionStore = await createPostgresSessionStore(pool);
  const sessions = withTeardown(await createSessions(sessionStore, tokens, settings.sessions), (s) => s.close());
  // Reset and verification mail (commands/accounts/account-links.ts): SMTP when SMTP_URL is set,
  // the mail_outbox table and the log otherwise. Closed after the mails in flight are sent.
  const mailer = withTeardown(
    settings.mail.smtpUrl ? createSmtpMailer(settings.mail.smtpUrl, settings.mail.from) : await createPostgresOutboxMailer(pool, mailLog),
    (m) => m.close(),
  );
  const accountTokens = await createPostgresAccountTokenStore(pool);
  const accountLinks = withTeardown(
    createAccountLinks({
      credentials,
      tokens: accountTokens,
      mailer,
      settings: { resetTtlMs: settings.mail.resetTtlMs, verificationTtlMs: settings.mail.verificationTtlMs, publicUrl: settings.media.publicUrl },
      onError: (what, error) => console.error(`[mail] ${what} failed`, error),
    }),
    (links) => links.settled(),
  );
  // Media storage (app/media-storage.ts): S3 when S3_BUCKET is set, files under DATA_DIR/media otherwise.
  const storage = withTeardown(await createMediaStorage(settings.media, settings.dataDir), (s) => s.close());
  const commands: CommandDeps = {
    store,
    credentials,
    tokens,
    accountLinks,
    passwordParams: passwordParams ?? PASSWORD_PARAMS,
    sessions,
    twoFactor,
    storyTtlMs: settings.storyTtlMs,
    accountDeletionGraceMs: settings.accountDeletion.graceMs,
    storage,
    mediaExternalHosts: settings.media.externalHosts,
    // The following cap's count, from the live profiles read model (opened below, before any command runs).
    followingCount: (followerId, upTo) => apiReadModels.readers.profiles.followingCount(followerId, upTo),
    followingMax: followingMax ?? FOLLOWING_MAX,
    // The collections cap's count, from the same read model.
    collectionCount: (ownerId, upTo) => apiReadModels.readers.profiles.collectionCount(ownerId, upTo),
    // The followed hashtags cap's count, from the same read model.
    hashtagFollowCount: (userId, upTo) => apiReadModels.readers.profiles.hashtagFollowCount(userId, upTo),
  };
  // What the projectors, story expiry and media workers append and read the log with: the same
  // store on the workers' pool.
  const workerCommands: CommandDeps | null = workerPool
    ? {
        ...commands,
        store: withTeardown(
          metrics.countAppends(createPersonalDataEventStore(await openEventStore(settings.eventStoreUrl, workerPool), personalDataKeys.using(workerPool))),
          (s) => s.close(),
        ),
      }
    : null;

  // Opens its subscribing connection only when a client's stream subscribes (API processes).
  // Projectors publish on it: on their pool where they run.
  const push = withTeardown(redis ? createRedisPushBus(redis, { prefix: prefixes.redis, sharded: redis.isCluster }) : createPostgresPushBus(workerPool ?? pool), (p) => p.close());
  // The card caches' invalidations (read-api/card-cache.ts): the live profiles projection
  // publishes on it (on the projectors' pool where they run), API processes subscribe.
  const cardBus = withTeardown(
    redis ? createRedisCardBus(redis, { prefix: prefixes.redis }) : createPostgresCardBus(workerPool ?? pool, { listenerConfig: pool.options }),
    (b) => b.close(),
  );
  const kafka = settings.kafka ? withTeardown(createKafkaFanOutWiring(settings.kafka), (k) => k.close()) : null;
  const backends = { redis, elasticsearch, prefixes, feed, notifications };
  // The generation of each read model that serves reads, following the replay CLI's switches:
  // the readers on the API's pool (their projections are only asked for checkpoints, and so get
  // no pushes nor fan-out), the projectors' on theirs.
  const apiReadModels = withTeardown(await openLiveReadModels(pool, createReadModelCatalog({ ...backends, pool }), tuning.generationWatchIntervalMs), (r) => r.close());
  const workerReadModels = workerPool
    ? withTeardown(
        await openLiveReadModels(workerPool, createReadModelCatalog({ ...backends, pool: workerPool, push, cards: cardBus, liveFanOut: kafka?.liveFanOut }), tuning.generationWatchIntervalMs),
        (r) => r.close(),
      )
    : null;
  const readModels = workerReadModels ? bothFollowing(apiReadModels, workerReadModels) : apiReadModels;
  // With a replica, the reads' own read models: the same catalog on the replica's pool, opened
  // once the replica has replayed the tables the primary's just created, creating nothing. The
  // primary's (apiReadModels) keep serving what the write side reads (the caps' counts), the card
  // cache (refilled as soon as the projector invalidates a card: from a lagging replica it would
  // keep the old card until the next change) and the Redis read models' health.
  const readsReadModels = readPool
    ? withTeardown(
        await waitForReplay(pool, readPool, REPLICA_START_TIMEOUT_MS).then(() =>
          openLiveReadModels(readPool, createReadModelCatalog({ ...backends, pool: readPool, readReplica: { adopt: namedAsReplica } }), tuning.generationWatchIntervalMs, { readReplica: true }),
        ),
        (r) => r.close(),
      )
    : apiReadModels;
  const freshness = createFreshness({
    // The checkpoints of the read models the reads read (the replica's: read-your-writes through it).
    projections: () => readsReadModels.projections(),
    ...(readPool && { primaryProjections: () => apiReadModels.projections() }),
    store,
    timeoutMs: tuning.freshnessTimeoutMs,
    maxWaiters: settings.serving.freshnessMaxWaiters,
  });
  // Which Redis read models reads must not trust now: Redis away, or lost and being rebuilt (read-api/degraded.ts).
  const redisModels = Object.entries(apiReadModels.backends).flatMap(([name, backend]) => (backend === 'redis' ? [name] : []));
  const degraded = redis ? withTeardown(watchRedisReadModels({ redis, models: redisModels, health: (name) => apiReadModels.health(name), isRedisFailure: (error) => backendOf(error) === 'redis' }), (d) => d.stop()) : undefined;
  // Media URLs (read-api/media-presenter.ts), signed by the same storage the commands use.
  const media = createMediaPresenter(storage);
  // Cards of the hot reads, in process; a process serving no reads subscribes to nothing and keeps none.
  const cards = withTeardown(
    createCardCache({
      profiles: () => apiReadModels.readers.profiles,
      media,
      bus: servesHttp(role) ? cardBus : null,
      size: settings.serving.cardCacheSize,
    }),
    (c) => c.close(),
  );
  // A new generation of the profiles read model holds other rows: nothing cached from the old one stays.
  apiReadModels.onSwitch((name) => name === PROFILES && cards.clear());
  const queryDeps: Pick<ReadDeps, 'freshness' | 'now' | 'push' | 'sessions' | 'media' | 'streamCaps' | 'degraded' | 'cards' | 'marks' | 'rankedOrders'> = {
    cards,
    // The ranked home feed's pinned orders: beside the feeds in Redis, else in PostgreSQL (read-api/ranked-orders.ts).
    rankedOrders: redis ? createRedisRankedOrders(redis, { prefix: prefixes.redis }) : await createPostgresRankedOrders(pool),
    marks: degraded
      ? feedViewerMarks(() => readsReadModels.readers.feed, sqlViewerMarks(() => readsReadModels.readers.profiles), degraded)
      : sqlViewerMarks(() => readsReadModels.readers.profiles),
    ...(degraded && { degraded }),
    freshness,
    now: () => new Date(),
    push,
    sessions,
    media,
    streamCaps: { perAccount: settings.serving.streamsPerAccount, perProcess: settings.serving.streamsPerProcess },
  };
  // The readers' getters themselves (a spread would freeze today's generation); the media read
  // model's reader is `mediaUploads`, since `media` is the presenter.
  const { media: mediaReader, ...readerGetters } = Object.getOwnPropertyDescriptors(readsReadModels.readers);
  const reads: ReadDeps = Object.defineProperties(queryDeps, { ...readerGetters, mediaUploads: mediaReader! }) as ReadDeps;
  const parkingLot = createParkingLot(workerPool ?? pool);
  const parking = { lot: parkingLot, isTransient: isTransientBackendError };
  const background =
    !workerCommands || !workerReadModels || !workerPool
      ? null
      : withTeardown(
          startBackgroundWork({
            commands: workerCommands,
            readModels: workerReadModels,
            projections: role === 'worker' ? [] : settings.projectionNames,
            storyExpiry: role !== 'projector',
            storyExpiryIntervalMs: tuning.storyExpiryIntervalMs,
            parking,
            partitioned: settings.projectorPartitions && { ...settings.projectorPartitions, pool: workerPool },
            // Processing, janitor and sweeper (app/media-workers.ts), in roles worker and all.
            media: mediaWorkers && runsMediaWorkers(role)
              ? mediaWorkersOf({
                  commands: workerCommands,
                  pool: workerPool,
                  kafka: settings.kafka,
                  topic: settings.media.kafkaTopic,
                  tuning,
                  stale: async (nowMs, limit) => (await workerReadModels.readers.media.stale(nowMs, limit)).map((record) => record.mediaId),
                })
              : undefined,
            // The due list of deleted accounts and the eraser (app/erasure-worker.ts), where the story expiry runs.
            erasure:
              role !== 'projector'
                ? {
                    commands: workerCommands,
                    pool: workerPool,
                    readModels: workerReadModels,
                    personalDataKeys: personalDataKeys.using(workerPool),
                    scrub: accountScrub({ pool, credentials, twoFactor: twoFactor.store, sessions: sessionStore, accountTokens, idempotency, parkingLot }),
                    intervalMs: settings.accountDeletion.erasureIntervalMs,
                    parking,
                    ...erasure,
                  }
                : undefined,
          }),
          (b) => b.stop(),
        );
  if (background) metrics.watchProjectors(() => background.statuses());
  if (background) metrics.watchPartitions(() => background.ownedPartitions());
  // The fan-out workers run in worker processes, and in 'all' (the single-machine default).
  if (kafka && settings.kafka && (role === 'worker' || role === 'all')) {
    withTeardown(kafka.startWorkers(push, parking), (workers) => workers.stop());
    // Their groups' lag per partition, on /metrics: the fan-out workers', and the media consumers' where they run here.
    const groups = [settings.kafka.topic, ...(background && mediaWorkers && runsMediaWorkers(role) ? [settings.media.kafkaTopic] : [])];
    const lag = withTeardown(watchConsumerLag(settings.kafka.brokers, groups.map((topic) => ({ group: workersGroupOf(topic), topic }))), (watch) => watch.stop());
    metrics.watchKafkaLag(() => lag.current());
  }
  const readiness = () => checkReadiness({ pool, readPool, redis, elasticsearch, kafka, storage, store, projections: apiReadModels.projections(), parked: () => parkingLot.counts() });

  return {
    commands,
    idempotency,
    reads,
    readModels,
    push,
    background,
    metrics,
    readiness,
    pool,
    mediaStorage: storage,
    rateLimits: { settings: settings.rateLimits, store: rateLimitStore },
    serving: settings.serving,
    personalDataKeys,
    async close() {
      for (const close of teardown.toReversed()) await close();
    },
  };
};

/** How long a start waits for the read replica to replay the tables the primary's pools created. */
const REPLICA_START_TIMEOUT_MS = 30_000;

/**
 * A pool of the platform. The API's connections carry statement_timeout and
 * idle_in_transaction_session_timeout; the workers' do not (a rebuild or a large batch may take
 * long, and nothing a client sends runs there).
 */
export const createPool = (databaseUrl: string, database: DatabaseSettings, use: 'api' | 'worker', applicationName?: string): pg.Pool => {
  const orNone = (ms: number) => (ms > 0 ? ms : undefined);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    ...(applicationName && { application_name: applicationName }),
    max: use === 'api' ? database.apiPoolSize : database.workerPoolSize,
    connectionTimeoutMillis: database.connectTimeoutMs,
    ...(use === 'api' ? { statement_timeout: orNone(database.statementTimeoutMs), idle_in_transaction_session_timeout: orNone(database.idleInTransactionTimeoutMs) } : {}),
  });
  // An idle client losing its connection (a restart of PostgreSQL) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
};

/** The API's read models as the platform shows them, with a refresh that moves the projectors' too. */
const bothFollowing = (api: LiveReadModels, worker: LiveReadModels): LiveReadModels => ({
  ...api,
  readers: api.readers,
  async refresh() {
    const [moved] = await Promise.all([api.refresh(), worker.refresh()]);
    return moved;
  },
  onSwitch: (listener) => worker.onSwitch(listener),
});
