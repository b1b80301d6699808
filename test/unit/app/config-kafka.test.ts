import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingsOf } from '../../../app/config.js';
import { parseServiceUrls, withServiceUrls } from '../../../app/service-urls.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, []);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe('Kafka fan-out configuration', () => {
  it('is in-process when KAFKA_BROKERS is unset, with the documented defaults for the rest', () => {
    const config = loadConfig({}, []);
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config).toMatchObject({ KAFKA_FANOUT_TOPIC: 'feed-fanout', KAFKA_TOPIC_PARTITIONS: 8, FANOUT_CHUNK_SIZE: 1_000, KAFKA_SESSION_TIMEOUT: 30_000 });
  });

  it('splits the broker list and parses the numbers', () => {
    const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:19092, kafka-2:9092', KAFKA_TOPIC_PARTITIONS: '12', FANOUT_CHUNK_SIZE: '250', KAFKA_SESSION_TIMEOUT: '6s' }, []);
    expect(config).toMatchObject({ KAFKA_BROKERS: ['127.0.0.1:19092', 'kafka-2:9092'], KAFKA_TOPIC_PARTITIONS: 12, FANOUT_CHUNK_SIZE: 250, KAFKA_SESSION_TIMEOUT: 6_000 });
  });

  it('replicates the topics as the broker list allows unless told: 1 and 1 for one broker, 3 and 2 for three or more', () => {
    const replicationOf = (env: Record<string, string>) => settingsOf(loadConfig({ DATABASE_URL: 'postgres://x/y', ...env }, [])).kafka;
    expect(replicationOf({ KAFKA_BROKERS: 'k1:9092' })).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(replicationOf({ KAFKA_BROKERS: 'k1:9092,k2:9092' })).toMatchObject({ replicationFactor: 2, minInsyncReplicas: 1 });
    expect(replicationOf({ KAFKA_BROKERS: 'k1:9092,k2:9092,k3:9092' })).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationOf({ KAFKA_BROKERS: 'k1:1,k2:1,k3:1,k4:1,k5:1' })).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationOf({ KAFKA_BROKERS: 'k1:1,k2:1,k3:1', KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 3 });
    expect(problemsOf({ KAFKA_BROKERS: 'k1:1,k2:1,k3:1', KAFKA_MIN_INSYNC_REPLICAS: '4' })).toEqual([expect.stringMatching(/^KAFKA_MIN_INSYNC_REPLICAS: must be at most KAFKA_REPLICATION_FACTOR/)]);
    expect(problemsOf({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toHaveLength(1);
  });

  it('names each bad Kafka variable', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'kafka' })).toEqual([expect.stringContaining('KAFKA_BROKERS.0: each broker must be host:port')]);
    expect(problemsOf({ KAFKA_BROKERS: ' , ' })).toEqual([expect.stringContaining('KAFKA_BROKERS: list at least one host:port')]);
    expect(problemsOf({ KAFKA_FANOUT_TOPIC: 'no spaces' })).toEqual([expect.stringMatching(/^KAFKA_FANOUT_TOPIC: /)]);
    expect(problemsOf({ KAFKA_TOPIC_PARTITIONS: '0', KAFKA_REPLICATION_FACTOR: 'two', FANOUT_CHUNK_SIZE: '20000' })).toHaveLength(3);
  });
});

describe('.services/urls.env', () => {
  it('fills in only the service variables the environment leaves unset or empty', () => {
    const file = parseServiceUrls('# comment\nDATABASE_URL=postgres://a/b\nREDIS_URL=redis://r\nKAFKA_BROKERS=k:1\nOTHER=x\n');
    expect(file).toEqual({ DATABASE_URL: 'postgres://a/b', REDIS_URL: 'redis://r', KAFKA_BROKERS: 'k:1' });
    const root = mkdtempSync(join(tmpdir(), 'urls-'));
    mkdirSync(join(root, '.services'));
    writeFileSync(join(root, '.services', 'urls.env'), 'REDIS_URL=redis://file\nKAFKA_BROKERS=k:1\nDATABASE_URL=postgres://file/db\n');
    expect(withServiceUrls({ REDIS_URL: 'redis://mine', DATABASE_URL: '', HOME: '/h' }, root)).toEqual({ REDIS_URL: 'redis://mine', KAFKA_BROKERS: 'k:1', DATABASE_URL: 'postgres://file/db', HOME: '/h' });
    expect(withServiceUrls({ HOME: '/h' }, join(root, 'elsewhere'))).toEqual({ HOME: '/h' });
    rmSync(root, { recursive: true });
  });
});
