import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../app/config.js';
import { defaultRateLimits } from '../../../app/rate-limit/limits.js';

describe('settings from the environment, in the groups the platform takes', () => {
  it('gives every default for an empty environment', () => {
    expect(loadSettings({}, [])).toEqual({
      role: 'all',
      projectionNames: undefined,
      projectorPartitions: undefined,
      databaseUrl: undefined,
      jwtSecret: undefined,
      jwtSecrets: undefined,
      sessions: { accessTokenTtlMs: 900_000, refreshTokenTtlMs: 2_592_000_000 },
      redisUrl: undefined,
      redisClusterNodes: undefined,
      elasticsearchUrl: undefined,
      prefixes: { redis: 'ig:', elasticsearch: 'ig-' },
      storyTtlMs: 86_400_000,
      accountDeletion: { graceMs: 30 * 86_400_000, erasureIntervalMs: 60_000 },
      mail: { smtpUrl: undefined, from: 'no-reply@localhost', resetTtlMs: 30 * 60_000, verificationTtlMs: 48 * 3_600_000 },
      feed: { celebrityThreshold: 10_000, chunkSize: 1_000 },
      notifications: { windowMs: 86_400_000 },
      kafka: undefined,
      media: { s3: undefined, publicBaseUrl: undefined, publicUrl: 'http://127.0.0.1:3000', externalHosts: [], kafkaTopic: 'media-processing' },
      tuning: { poolSize: 10, freshnessTimeoutMs: 2_000, storyExpiryIntervalMs: 1_000, generationWatchIntervalMs: 1_000, mediaSweepIntervalMs: 60_000, mediaProcessingConcurrency: 2 },
      rateLimits: { enabled: true, limits: defaultRateLimits() },
      database: { apiPoolSize: 10, workerPoolSize: 10, connectTimeoutMs: 5_000, statementTimeoutMs: 10_000, idleInTransactionTimeoutMs: 30_000 },
      serving: { requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, streamsPerAccount: 5, streamsPerProcess: 10_000, freshnessMaxWaiters: 1_000, cardCacheSize: 20_000 },
      http: { port: 3000, host: '127.0.0.1', logLevel: 'info', trustProxy: false, webRoot: './web/dist' },
      dataDir: './data',
    });
  });

  it('groups each variable with the part that uses it', () => {
    const settings = loadSettings(
      {
        DATABASE_URL: 'postgres://db/x',
        FEED_CELEBRITY_THRESHOLD: '50',
        FANOUT_CHUNK_SIZE: '20',
        NOTIFICATION_GROUP_WINDOW: '1h',
        KAFKA_BROKERS: 'k1:9092,k2:9092',
        KAFKA_SESSION_TIMEOUT: '6s',
        PROJECTIONS: 'feed, stories',
        PROJECTOR_PARTITIONS: '3',
        PROJECTOR_LEASE: '2s',
      },
      ['--role', 'projector'],
    );
    expect(settings).toMatchObject({
      role: 'projector',
      projectionNames: ['feed', 'stories'],
      projectorPartitions: { partitions: 3, leaseMs: 2_000 },
      databaseUrl: 'postgres://db/x',
      feed: { celebrityThreshold: 50, chunkSize: 20 },
      notifications: { windowMs: 3_600_000 },
      kafka: { brokers: ['k1:9092', 'k2:9092'], topic: 'feed-fanout', partitions: 8, replicationFactor: 2, minInsyncReplicas: 1, sessionTimeoutMs: 6_000 },
    });
  });

  it('takes media from an S3 bucket when S3_BUCKET is set, with its URLs and credentials as a group', () => {
    const { media } = loadSettings(
      {
        S3_BUCKET: 'photos',
        S3_ENDPOINT: 'http://127.0.0.1:19000',
        S3_ACCESS_KEY_ID: 'id',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
        MEDIA_PUBLIC_BASE_URL: 'https://cdn.example.com/',
        MEDIA_EXTERNAL_HOSTS: 'Images.Example.com, ,cdn.example.org',
        HOST: '::1',
        PORT: '8080',
      },
      [],
    );
    expect(media).toEqual({
      s3: { bucket: 'photos', endpoint: 'http://127.0.0.1:19000', region: 'us-east-1', credentials: { accessKeyId: 'id', secretAccessKey: 'secret' }, forcePathStyle: true },
      publicBaseUrl: 'https://cdn.example.com',
      publicUrl: 'http://[::1]:8080',
      externalHosts: ['images.example.com', 'cdn.example.org'],
      kafkaTopic: 'media-processing',
    });
  });

  it('sizes the two pools and bounds requests, streams and waits from their variables', () => {
    const settings = loadSettings(
      {
        DATABASE_API_POOL_SIZE: '4',
        DATABASE_WORKER_POOL_SIZE: '3',
        DATABASE_CONNECT_TIMEOUT: '1s',
        DATABASE_STATEMENT_TIMEOUT: '250ms',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: '2s',
        HTTP_REQUEST_TIMEOUT: '5s',
        HTTP_CONNECTION_TIMEOUT: '20s',
        STREAMS_PER_ACCOUNT: '2',
        STREAMS_PER_PROCESS: '100',
        FRESHNESS_MAX_WAITERS: '0',
        CARD_CACHE_SIZE: '50',
      },
      [],
    );
    expect(settings.database).toEqual({ apiPoolSize: 4, workerPoolSize: 3, connectTimeoutMs: 1_000, statementTimeoutMs: 250, idleInTransactionTimeoutMs: 2_000 });
    expect(settings.serving).toEqual({ requestTimeoutMs: 5_000, connectionTimeoutMs: 20_000, streamsPerAccount: 2, streamsPerProcess: 100, freshnessMaxWaiters: 0, cardCacheSize: 50 });
  });

  it('refuses a connection timeout that would cut idle event streams between two heartbeats', () => {
    expect(() => loadSettings({ HTTP_CONNECTION_TIMEOUT: '10s' }, [])).toThrow(/HTTP_CONNECTION_TIMEOUT: must be longer than the event streams' heartbeat/);
  });

  it('runs every projection when PROJECTIONS lists none', () => {
    expect(loadSettings({ PROJECTIONS: ' , ' }, []).projectionNames).toBeUndefined();
  });
});
