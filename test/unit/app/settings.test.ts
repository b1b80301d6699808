import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../app/config.js';

describe('settings from the environment, in the groups the platform takes', () => {
  it('gives every default for an empty environment', () => {
    expect(loadSettings({}, [])).toEqual({
      role: 'all',
      projectionNames: undefined,
      databaseUrl: undefined,
      jwtSecret: undefined,
      redisUrl: undefined,
      elasticsearchUrl: undefined,
      prefixes: { redis: 'ig:', elasticsearch: 'ig-' },
      storyTtlMs: 86_400_000,
      feed: { celebrityThreshold: 10_000, chunkSize: 1_000 },
      notifications: { windowMs: 86_400_000 },
      kafka: undefined,
      tuning: { poolSize: 10, freshnessTimeoutMs: 2_000, storyExpiryIntervalMs: 1_000, generationWatchIntervalMs: 1_000, mediaSweepIntervalMs: 60_000, mediaProcessingConcurrency: 2 },
      http: { port: 3000, host: '127.0.0.1', logLevel: 'info' },
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
      },
      ['--role', 'projector'],
    );
    expect(settings).toMatchObject({
      role: 'projector',
      projectionNames: ['feed', 'stories'],
      databaseUrl: 'postgres://db/x',
      feed: { celebrityThreshold: 50, chunkSize: 20 },
      notifications: { windowMs: 3_600_000 },
      kafka: { brokers: ['k1:9092', 'k2:9092'], topic: 'feed-fanout', partitions: 8, replicationFactor: 1, sessionTimeoutMs: 6_000 },
    });
  });

  it('runs every projection when PROJECTIONS lists none', () => {
    expect(loadSettings({ PROJECTIONS: ' , ' }, []).projectionNames).toBeUndefined();
  });
});
