import { z } from 'zod';
import type { FeedSettings } from '../projections/feed/feed-options.js';
import type { NotificationsSettings } from '../projections/notifications/notifications-projection.js';
import { DEFAULT_CARD_CACHE_SIZE } from '../read-api/card-cache.js';
import { parseDuration } from './duration.js';
import { parseLimit, RATE_LIMIT_CLASSES, RATE_LIMIT_TABLE, type Limit, type RateLimitSettings } from './rate-limit/limits.js';
import type { KafkaSettings } from './kafka-fan-out.js';
import type { SessionSettings } from '../commands/accounts/sessions.js';

/** The account deletion lifecycle's two settings (ACCOUNT_DELETION_GRACE, ACCOUNT_ERASURE_INTERVAL). */
export interface AccountDeletionSettings {
  graceMs: number;
  erasureIntervalMs: number;
}
import { ROLES, type Role } from './roles.js';

// Twelve-factor configuration (docs/architecture.md "Processes"): every setting comes from the environment, is
// validated at start-up, and a bad one stops the process with a message naming the variable.
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 24h, 30s or 500ms` });
  return ms ?? 0;
});

/** The event streams' heartbeat (read-api/event-stream.ts's default): HTTP_CONNECTION_TIMEOUT must be longer. */
export const STREAM_HEARTBEAT_MS = 15_000;

const rateLimit = z.string().transform((text, ctx): Limit => {
  const limit = parseLimit(text);
  if (!limit) ctx.addIssue({ code: 'custom', message: `"${text}" is not a limit like 5/30m (requests per duration)` });
  return limit ?? { limit: 1, windowMs: 1 };
});

// RATE_LIMIT_LOGIN, RATE_LIMIT_REGISTER, ...: one per class of app/rate-limit/limits.ts.
const rateLimitOf = (name: (typeof RATE_LIMIT_CLASSES)[number]) => z.string().default(RATE_LIMIT_TABLE[name].default).pipe(rateLimit);

/** Fastify's trustProxy: "true", a hop count, or a comma-separated list of addresses and CIDR ranges. */
const trustProxy = z.string().transform((text): boolean | number | string[] => {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim()).filter(Boolean);
});

const postgresUrl = z
  .string()
  .refine((url) => /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// or postgresql:// URL');

const schema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  /** A streaming replica of DATABASE_URL's server: the read API's queries go there (docs/architecture.md "Read replicas"). */
  DATABASE_READ_URL: postgresUrl.optional(),
  REDIS_URL: z
    .string()
    .refine((url) => /^rediss?:\/\//.test(url), 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Comma-separated host:port of Redis Cluster nodes; set, and Redis is that cluster (it wins over REDIS_URL). */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((list) => list.split(',').map((node) => node.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'each node must be host:port')).min(1, 'list at least one host:port'))
    .optional(),
  ELASTICSEARCH_URL: z
    .string()
    .refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL')
    .optional(),
  /** Set: the event store is this EventStoreDB (events/eventstoredb/); unset: PostgreSQL. */
  EVENTSTORE_URL: z
    .string()
    .refine((url) => /^esdb(\+discover)?:\/\/[^/\s]/.test(url), 'must be an esdb:// or esdb+discover:// connection string, e.g. esdb://localhost:2113?tls=false')
    .optional(),
  FEED_CELEBRITY_THRESHOLD: z.coerce.number().int().min(1).default(10_000),
  /** Followers per fan-out chunk: one Kafka message (36-byte ids, so 10,000 stay well under 1 MB). */
  FANOUT_CHUNK_SIZE: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** Comma-separated host:port list; set, and feed fan-out goes through Kafka to the workers. */
  KAFKA_BROKERS: z
    .string()
    .transform((list) => list.split(',').map((broker) => broker.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'list at least one host:port'))
    .optional(),
  KAFKA_FANOUT_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'letters, digits, ".", "_" and "-" (at most 249)').default('feed-fanout'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(8),
  /** Unset: as many as KAFKA_BROKERS lists, up to 3 (kafkaReplication). */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(100).optional(),
  /** Unset: 2 with 3 replicas or more, else 1 (kafkaReplication). */
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(100).optional(),
  KAFKA_SESSION_TIMEOUT: z.string().default('30s').pipe(duration),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_SECRET: z
    .string()
    .refine((secret) => Buffer.byteLength(secret, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  /** Master key of the per-person data keys that seal personal fields in events (app/personal-data-key.ts); unset: generated under DATA_DIR. */
  PERSONAL_DATA_KEY: z
    .string()
    .refine((secret) => Buffer.byteLength(secret, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  /** Signing keys, comma-separated, newest first: tokens are signed with the first, verified with any (in place of JWT_SECRET). */
  JWT_SECRETS: z
    .string()
    .transform((list) => list.split(',').map((secret) => secret.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((secret) => Buffer.byteLength(secret, 'utf8') >= 32, 'each must be at least 32 bytes')).min(1, 'list at least one secret'))
    .optional(),
  /** How long an access token lives; a refresh token renews it. */
  ACCESS_TOKEN_TTL: z.string().default('15m').pipe(duration),
  /** How long a session may go unused (each refresh starts it again). */
  REFRESH_TOKEN_TTL: z.string().default('30d').pipe(duration),
  STORY_TTL: z.string().default('24h').pipe(duration),
  // ---- Account deletion (docs/architecture.md "Account deletion"; workers/erasure/).
  /** How long a deleted account stays hidden and restorable before the erasure worker erases it. */
  ACCOUNT_DELETION_GRACE: z.string().default('30d').pipe(duration),
  /** How often the erasure worker looks for accounts whose grace period is over. */
  ACCOUNT_ERASURE_INTERVAL: z.string().default('1m').pipe(duration),
  // ---- Mail (commands/accounts/mail/): password reset and email verification links.
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps:// (TLS from the start); unset: the mail_outbox table and the log. */
  SMTP_URL: z
    .string()
    .refine((url) => /^smtps?:\/\/[^/\s]/.test(url), 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).max(320).default('no-reply@localhost'),
  /** How long a password reset link works. */
  PASSWORD_RESET_TTL: z.string().default('30m').pipe(duration),
  /** How long an email verification link works. */
  EMAIL_VERIFICATION_TTL: z.string().default('48h').pipe(duration),
  /** Notifications of one kind on one post (or comment) within this window, by the events' own times, form one group. */
  NOTIFICATION_GROUP_WINDOW: z.string().default('24h').pipe(duration),
  DATA_DIR: z.string().min(1).default('./data'),
  /** The web client's build (npm run build:web), served at / by the API (app/http/web-client.ts); a folder without index.html: not served. */
  WEB_ROOT: z.string().min(1).default('./web/dist'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLE: z.enum(ROLES).default('all'),
  // ---- Media (docs/architecture.md "Media"). S3_BUCKET set: an S3-compatible store; unset: files under DATA_DIR/media.
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"').optional(),
  /** For S3-compatible stores other than AWS (S3Proxy, MinIO, R2): their URL. */
  S3_ENDPOINT: z.string().refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL').optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Unset: the AWS SDK's own chain (AWS_ACCESS_KEY_ID, instance roles, ...). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Bucket in the path (http://host/bucket/key), as S3Proxy and MinIO want, instead of in the host name. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((flag) => flag === 'true'),
  /** A CDN (or public bucket) in front of the storage: public accounts' media are served from here, unsigned. */
  MEDIA_PUBLIC_BASE_URL: z.string().refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL').optional(),
  /** Where clients reach this API, for the local storage's signed URLs. Default: http://HOST:PORT. */
  PUBLIC_URL: z.string().refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL').optional(),
  /** Comma-separated host names whose image URLs new posts may still carry (default none: uploads only). */
  MEDIA_EXTERNAL_HOSTS: z
    .string()
    .transform((list) => list.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean))
    .default([]),
  KAFKA_MEDIA_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'letters, digits, ".", "_" and "-" (at most 249)').default('media-processing'),
  // ---- Rate limits (app/rate-limit/limits.ts): RATE_LIMITS=off turns them all off.
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_LOGIN: rateLimitOf('login'),
  RATE_LIMIT_REGISTER: rateLimitOf('register'),
  RATE_LIMIT_REFRESH: rateLimitOf('refresh'),
  RATE_LIMIT_MEDIA: rateLimitOf('media'),
  RATE_LIMIT_DELETE: rateLimitOf('delete'),
  RATE_LIMIT_WRITE: rateLimitOf('write'),
  RATE_LIMIT_READ: rateLimitOf('read'),
  RATE_LIMIT_ANONYMOUS: rateLimitOf('anonymous'),
  /** Off by default: X-Forwarded-For is believed only from the proxies named here. */
  TRUST_PROXY: z.string().default('false').pipe(trustProxy),
  // ---- PostgreSQL pools and timeouts (docs/architecture.md "Processes"): one pool serves the API, another the projectors and workers.
  /** Connections of the API's pool: commands, reads, idempotency keys, rate-limit buckets, read-your-writes checkpoints. */
  DATABASE_API_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Connections of the projectors' and workers' pool (roles projector, worker and all; none in role api). */
  DATABASE_WORKER_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /** How long a query waits for a free connection (or for connecting) before it fails: a full pool answers 503, not a hang. */
  DATABASE_CONNECT_TIMEOUT: z.string().default('5s').pipe(duration),
  /** statement_timeout of the API's connections: a statement running longer is cancelled (503). */
  DATABASE_STATEMENT_TIMEOUT: z.string().default('10s').pipe(duration),
  /** idle_in_transaction_session_timeout of the API's connections: a transaction left open that long is ended. */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: z.string().default('30s').pipe(duration),
  // ---- HTTP bounds (app/server.ts, read-api/routes/stream-routes.ts, app/freshness.ts).
  /** Time to receive a whole request, headers and body: a trickled body is cut off (408). Not the answer: streams stay open. */
  HTTP_REQUEST_TIMEOUT: z.string().default('30s').pipe(duration),
  /** A socket with no traffic either way for this long is closed (event streams send a heartbeat every 15 s, so keep it above that). */
  HTTP_CONNECTION_TIMEOUT: z.string().default('60s').pipe(duration),
  /** Open event streams (GET /api/v1/stream) per account in this process; one more answers 429 TOO_MANY_STREAMS. */
  STREAMS_PER_ACCOUNT: z.coerce.number().int().min(1).max(10_000).default(5),
  /** Open event streams in this process; one more answers 503 STREAMS_FULL. */
  STREAMS_PER_PROCESS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Reads waiting on a projection for ?minPosition= at once in this process (one per request and projection); past it reads answer at once, stale. */
  FRESHNESS_MAX_WAITERS: z.coerce.number().int().min(0).max(1_000_000).default(1_000),
  /** Post cards and user cards each kept in an API process's card cache (read-api/card-cache.ts); 0 keeps none. */
  CARD_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(DEFAULT_CARD_CACHE_SIZE),
  /** Comma-separated projection names for the projector role; empty means all. */
  PROJECTIONS: z
    .string()
    .transform((list) => list.split(',').map((name) => name.trim()).filter(Boolean))
    .optional(),
  /** Split each projection into this many partitions, shared by lease among the projector processes; unset runs each whole in every projector process. */
  PROJECTOR_PARTITIONS: z.coerce.number().int().min(1).max(256).optional(),
  /** How long a projector process's partition lease lasts without renewal (renewed every third of it): a crashed process's partitions move after about this long. */
  PROJECTOR_LEASE: z
    .string()
    .default('10s')
    .pipe(duration)
    .refine((ms) => ms >= 300, 'must be at least 300ms (the lease is renewed every third of it)'),
}).refine((config) => config.ROLE === 'all' || config.DATABASE_URL, {
  path: ['DATABASE_URL'],
  message: 'separate roles share their servers: set DATABASE_URL (the embedded PostgreSQL serves role "all" only)',
}).refine((config) => config.DATABASE_READ_URL === undefined || config.DATABASE_URL, {
  path: ['DATABASE_READ_URL'],
  message: 'a read replica follows a primary: set DATABASE_URL too (the embedded PostgreSQL has no replica)',
}).refine((config) => config.DATABASE_READ_URL === undefined || config.DATABASE_READ_URL !== config.DATABASE_URL, {
  path: ['DATABASE_READ_URL'],
  message: 'names the same server as DATABASE_URL: leave it unset to read from the primary',
}).refine((config) => config.JWT_SECRET === undefined || config.JWT_SECRETS === undefined, {
  path: ['JWT_SECRETS'],
  message: 'set JWT_SECRETS or JWT_SECRET, not both (JWT_SECRETS lists every key, newest first)',
}).refine((config) => config.REFRESH_TOKEN_TTL > config.ACCESS_TOKEN_TTL, {
  path: ['REFRESH_TOKEN_TTL'],
  message: 'must be longer than ACCESS_TOKEN_TTL',
}).refine((config) => kafkaReplication(config).minInsyncReplicas <= kafkaReplication(config).replicationFactor, {
  path: ['KAFKA_MIN_INSYNC_REPLICAS'],
  message: 'must be at most KAFKA_REPLICATION_FACTOR (a write needs that many replicas in sync)',
}).refine((config) => config.HTTP_CONNECTION_TIMEOUT > STREAM_HEARTBEAT_MS, {
  path: ['HTTP_CONNECTION_TIMEOUT'],
  message: `must be longer than the event streams' heartbeat (${STREAM_HEARTBEAT_MS / 1000} s), or idle streams are cut`,
});

/**
 * Replicas of the Kafka topics the platform creates, and how many of them must have a message
 * before the broker acknowledges it (the producers send with acks=all). Unset, they follow the
 * broker list: one broker listed, 1 and 1; three or more (a cluster, `SERVICES=kafka-cluster`),
 * 3 and 2, so a topic keeps taking writes with one broker lost and no acknowledged message is on
 * one broker only. A longer list of a bigger cluster still gets 3 replicas.
 */
export function kafkaReplication(config: { KAFKA_BROKERS?: string[] | undefined; KAFKA_REPLICATION_FACTOR?: number | undefined; KAFKA_MIN_INSYNC_REPLICAS?: number | undefined }) {
  const replicationFactor = config.KAFKA_REPLICATION_FACTOR ?? Math.min(3, Math.max(1, config.KAFKA_BROKERS?.length ?? 1));
  const minInsyncReplicas = config.KAFKA_MIN_INSYNC_REPLICAS ?? (replicationFactor >= 3 ? 2 : 1);
  return { replicationFactor, minInsyncReplicas };
}

/** The environment, validated: one field per variable, named as the README names it. */
export type Config = z.infer<typeof schema>;

/** Every variable the platform reads: the schema's keys (deploy/compose.yaml may set no other, test/unit/deploy.test.ts). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The environment, with `--role=x` / `--role x` on the command line taking precedence over ROLE. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): Config => {
  // An empty variable means unset, as it does in most shells' `VAR= cmd`.
  const present: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const flag = argv.findIndex((arg) => arg === '--role' || arg.startsWith('--role='));
  if (flag >= 0) present.ROLE = argv[flag]!.includes('=') ? argv[flag]!.split('=')[1] : argv[flag + 1];
  const result = schema.safeParse(present);
  if (!result.success) throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return result.data;
};

/** Prefix of every Redis key and channel and of every Elasticsearch index and alias: tests give each file its own. */
export interface Prefixes {
  redis: string;
  elasticsearch: string;
}

// A generation after the first adds its own part to these (projections/runtime/generation-catalog.ts).
export const DEFAULT_PREFIXES: Prefixes = { redis: 'ig:', elasticsearch: 'ig-' };

/** How a process of the platform paces itself: not read from the environment; only tests and benchmarks change it. */
export interface Tuning {
  /** PostgreSQL connections of the replay CLI's pool (the platform's pools are sized by `database`). */
  poolSize: number;
  /** How long a read with ?minPosition= waits for the projections before it answers anyway, naming them (x-stale-projections). */
  freshnessTimeoutMs: number;
  /** How often the story expiry process looks for stories past their expiry. */
  storyExpiryIntervalMs: number;
  /** How often a process looks for read models the replay CLI switched to a new generation. */
  generationWatchIntervalMs: number;
  /** How often the media sweeper looks for uploads left behind (never completed, or never attached). */
  mediaSweepIntervalMs: number;
  /** Files a worker process processes at once (one per core on the project's 2-core machine). */
  mediaProcessingConcurrency: number;
}

export const DEFAULT_TUNING: Tuning = {
  poolSize: 10,
  freshnessTimeoutMs: 2_000,
  storyExpiryIntervalMs: 1_000,
  generationWatchIntervalMs: 1_000,
  mediaSweepIntervalMs: 60_000,
  mediaProcessingConcurrency: 2,
};

/** The embedded PostgreSQL's port when DATABASE_URL is unset (the replay CLI finds a running platform's there). */
export const EMBEDDED_POSTGRES_PORT = 54329;

/** Where media live and how their URLs are made (docs/architecture.md "Media"). */
export interface MediaSettings {
  /** Set: an S3-compatible store; undefined: files under `${dataDir}/media`, served by the API. */
  s3:
    | {
        bucket: string;
        endpoint: string | undefined;
        region: string;
        credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
        forcePathStyle: boolean;
      }
    | undefined;
  publicBaseUrl: string | undefined;
  /** Base of the local storage's URLs (no trailing slash). */
  publicUrl: string;
  externalHosts: readonly string[];
  /** Topic of the processing jobs when Kafka is configured. */
  kafkaTopic: string;
}

/** PostgreSQL pools and their timeouts (docs/architecture.md "Processes"). */
export interface DatabaseSettings {
  /** The API's pool: commands, reads, idempotency keys, rate-limit buckets, read-your-writes checkpoints. */
  apiPoolSize: number;
  /** The projectors' and workers' pool (not opened in role api). */
  workerPoolSize: number;
  /** Both pools: how long a query waits for a connection before failing (0: without end). */
  connectTimeoutMs: number;
  /** The API's connections only: projector batches and rebuilds may take longer (0: none). */
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/** What bounds the work one client can hold in an API process. */
export interface ServingLimits {
  /** Fastify's requestTimeout: the whole request (headers and body) must arrive within it (0: none). */
  requestTimeoutMs: number;
  /** Fastify's connectionTimeout: a socket idle this long is closed (0: none). */
  connectionTimeoutMs: number;
  streamsPerAccount: number;
  streamsPerProcess: number;
  /** Read-your-writes waits held at once (app/freshness.ts). */
  freshnessMaxWaiters: number;
  /** Post and user cards each kept in process (read-api/card-cache.ts). */
  cardCacheSize: number;
}

/** The configuration in the groups the platform takes, passed on unchanged from here to the part that uses each. */
export interface Settings {
  role: Role;
  /** With role 'projector' or 'all': only these projections; undefined runs every one. */
  projectionNames: readonly string[] | undefined;
  /** PROJECTOR_PARTITIONS and PROJECTOR_LEASE: undefined runs each projection whole in every projector process. */
  projectorPartitions: { partitions: number; leaseMs: number } | undefined;
  /** Unset: the embedded PostgreSQL (role 'all' only). */
  databaseUrl: string | undefined;
  /** A streaming replica of databaseUrl's server for the read API's queries; unset: they go to databaseUrl. */
  databaseReadUrl: string | undefined;
  /** Unset: generated once and kept under dataDir. */
  jwtSecret: string | undefined;
  /** Unset: generated once and kept under dataDir (app/personal-data-key.ts). */
  personalDataKey: string | undefined;
  /** JWT_SECRETS, newest first (in place of jwtSecret). */
  jwtSecrets: readonly string[] | undefined;
  sessions: SessionSettings;
  /** Feeds and stories in Redis when set; in PostgreSQL otherwise. */
  redisUrl: string | undefined;
  /** A Redis Cluster's nodes (some suffice): when set, Redis is that cluster and redisUrl is not used. */
  redisClusterNodes: readonly string[] | undefined;
  /** Search in Elasticsearch when set; in PostgreSQL otherwise. */
  elasticsearchUrl: string | undefined;
  /** The event store in EventStoreDB when set; in PostgreSQL otherwise (app/event-store.ts). */
  eventStoreUrl: string | undefined;
  prefixes: Prefixes;
  storyTtlMs: number;
  /** ACCOUNT_DELETION_GRACE and ACCOUNT_ERASURE_INTERVAL, in ms. */
  accountDeletion: AccountDeletionSettings;
  /** Reset and verification mail: through SMTP when smtpUrl is set, into the outbox table and the log otherwise. */
  mail: { smtpUrl: string | undefined; from: string; resetTtlMs: number; verificationTtlMs: number };
  feed: FeedSettings;
  notifications: NotificationsSettings;
  /** Feed fan-out through Kafka to the fan-out workers when set; in-process otherwise. */
  kafka: KafkaSettings | undefined;
  media: MediaSettings;
  rateLimits: RateLimitSettings;
  database: DatabaseSettings;
  serving: ServingLimits;
  tuning: Tuning;
  http: { port: number; host: string; logLevel: Config['LOG_LEVEL']; trustProxy: boolean | number | string[]; webRoot: string };
  dataDir: string;
}

export const settingsOf = (config: Config): Settings => ({
  role: config.ROLE,
  projectionNames: config.PROJECTIONS?.length ? config.PROJECTIONS : undefined,
  projectorPartitions: config.PROJECTOR_PARTITIONS === undefined ? undefined : { partitions: config.PROJECTOR_PARTITIONS, leaseMs: config.PROJECTOR_LEASE },
  databaseUrl: config.DATABASE_URL,
  databaseReadUrl: config.DATABASE_READ_URL,
  jwtSecret: config.JWT_SECRET,
  personalDataKey: config.PERSONAL_DATA_KEY,
  jwtSecrets: config.JWT_SECRETS,
  sessions: { accessTokenTtlMs: config.ACCESS_TOKEN_TTL, refreshTokenTtlMs: config.REFRESH_TOKEN_TTL },
  redisUrl: config.REDIS_URL,
  redisClusterNodes: config.REDIS_CLUSTER_NODES,
  elasticsearchUrl: config.ELASTICSEARCH_URL,
  eventStoreUrl: config.EVENTSTORE_URL,
  prefixes: { ...DEFAULT_PREFIXES },
  storyTtlMs: config.STORY_TTL,
  accountDeletion: { graceMs: config.ACCOUNT_DELETION_GRACE, erasureIntervalMs: config.ACCOUNT_ERASURE_INTERVAL },
  mail: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, resetTtlMs: config.PASSWORD_RESET_TTL, verificationTtlMs: config.EMAIL_VERIFICATION_TTL },
  feed: { celebrityThreshold: config.FEED_CELEBRITY_THRESHOLD, chunkSize: config.FANOUT_CHUNK_SIZE },
  notifications: { windowMs: config.NOTIFICATION_GROUP_WINDOW },
  kafka: config.KAFKA_BROKERS && {
    brokers: config.KAFKA_BROKERS,
    topic: config.KAFKA_FANOUT_TOPIC,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    ...kafkaReplication(config),
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
  },
  media: {
    s3: config.S3_BUCKET
      ? {
          bucket: config.S3_BUCKET,
          endpoint: config.S3_ENDPOINT,
          region: config.S3_REGION,
          credentials:
            config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
              ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
              : undefined,
          forcePathStyle: config.S3_FORCE_PATH_STYLE,
        }
      : undefined,
    publicBaseUrl: config.MEDIA_PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    publicUrl: (config.PUBLIC_URL ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`).replace(/\/+$/, ''),
    externalHosts: config.MEDIA_EXTERNAL_HOSTS,
    kafkaTopic: config.KAFKA_MEDIA_TOPIC,
  },
  rateLimits: {
    enabled: config.RATE_LIMITS === 'on',
    limits: Object.fromEntries(RATE_LIMIT_CLASSES.map((name) => [name, config[`RATE_LIMIT_${name.toUpperCase() as Uppercase<typeof name>}`]])) as RateLimitSettings['limits'],
  },
  database: {
    apiPoolSize: config.DATABASE_API_POOL_SIZE,
    workerPoolSize: config.DATABASE_WORKER_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT,
  },
  serving: {
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT,
    connectionTimeoutMs: config.HTTP_CONNECTION_TIMEOUT,
    streamsPerAccount: config.STREAMS_PER_ACCOUNT,
    streamsPerProcess: config.STREAMS_PER_PROCESS,
    freshnessMaxWaiters: config.FRESHNESS_MAX_WAITERS,
    cardCacheSize: config.CARD_CACHE_SIZE,
  },
  tuning: { ...DEFAULT_TUNING },
  http: { port: config.PORT, host: config.HOST, logLevel: config.LOG_LEVEL, trustProxy: config.TRUST_PROXY, webRoot: config.WEB_ROOT },
  dataDir: config.DATA_DIR,
});

/** The settings of the environment (an empty one gives every default: tests start from that). */
export const loadSettings = (env?: NodeJS.ProcessEnv, argv?: readonly string[]): Settings => settingsOf(loadConfig(env, argv));
