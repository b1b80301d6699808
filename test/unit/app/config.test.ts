import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadSettings } from '../../../app/config.js';
import { hostPortOf } from '../../../app/redis-client.js';
import { parseServiceUrls, withServiceUrls } from '../../../app/service-urls.js';
import { configProblems } from '../../support/settings.js';

const problemsOf = configProblems;

describe('configuration from the environment', () => {
  it('defaults everything when nothing is set (the embedded defaults)', () => {
    const config = loadConfig({}, []);
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', STORY_TTL: 86_400_000, FEED_CELEBRITY_THRESHOLD: 10_000, ROLE: 'all' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('names the variable and what is wrong with it', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT: /)]);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' })).toEqual([expect.stringContaining('DATABASE_URL: must be a postgres://')]);
    expect(problemsOf({ REDIS_URL: 'localhost:6379' })).toEqual([expect.stringContaining('REDIS_URL: must be a redis://')]);
    expect(problemsOf({ STORY_TTL: 'a day' })).toEqual([expect.stringContaining('STORY_TTL: "a day" is not a duration')]);
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual([expect.stringContaining('JWT_SECRET: must be at least 32 bytes')]);
    expect(problemsOf({ ROLE: 'web' })).toEqual([expect.stringMatching(/^ROLE: /)]);
  });

  it('reads the signing keys and token lifetimes: JWT_SECRETS a list (each at least 32 bytes), not with JWT_SECRET; refresh outliving access', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(33)];
    expect(loadSettings({ JWT_SECRETS: ` ${a} , ${b} ` }, []).jwtSecrets).toEqual([a, b]);
    expect(problemsOf({ JWT_SECRETS: `${a},short` })).toEqual([expect.stringContaining('each must be at least 32 bytes')]);
    expect(problemsOf({ JWT_SECRETS: ',' })).toEqual([expect.stringContaining('list at least one secret')]);
    expect(problemsOf({ JWT_SECRETS: a, JWT_SECRET: b })).toEqual([expect.stringContaining('JWT_SECRETS: set JWT_SECRETS or JWT_SECRET, not both')]);
    expect(loadSettings({}, []).sessions).toEqual({ accessTokenTtlMs: 15 * 60_000, refreshTokenTtlMs: 30 * 86_400_000 });
    expect(loadSettings({ ACCESS_TOKEN_TTL: '5m', REFRESH_TOKEN_TTL: '7d' }, []).sessions).toEqual({ accessTokenTtlMs: 300_000, refreshTokenTtlMs: 7 * 86_400_000 });
    expect(problemsOf({ ACCESS_TOKEN_TTL: '1h', REFRESH_TOKEN_TTL: '30m' })).toEqual([expect.stringContaining('REFRESH_TOKEN_TTL: must be longer than ACCESS_TOKEN_TTL')]);
  });

  it('reads the partitioned projectors\' settings: a whole partition count, a lease of at least 300ms', () => {
    expect(loadSettings({}, []).projectorPartitions).toBeUndefined();
    expect(loadSettings({ PROJECTOR_PARTITIONS: '4' }, []).projectorPartitions).toEqual({ partitions: 4, leaseMs: 10_000 });
    expect(problemsOf({ PROJECTOR_PARTITIONS: '0' })).toEqual([expect.stringMatching(/^PROJECTOR_PARTITIONS: /)]);
    expect(problemsOf({ PROJECTOR_PARTITIONS: '2.5' })).toEqual([expect.stringMatching(/^PROJECTOR_PARTITIONS: /)]);
    expect(problemsOf({ PROJECTOR_LEASE: '100ms' })).toEqual([expect.stringContaining('PROJECTOR_LEASE: must be at least 300ms')]);
  });

  it('reports every bad variable at once', () => {
    expect(problemsOf({ PORT: '-1', STORY_TTL: 'soon' })).toHaveLength(2);
  });

  it('parses durations and treats an empty variable as unset', () => {
    expect(loadConfig({ STORY_TTL: '30s', PORT: '' }, []).STORY_TTL).toBe(30_000);
    expect(loadConfig({ STORY_TTL: '1500ms' }, []).STORY_TTL).toBe(1_500);
    expect(loadConfig({ PORT: '' }, []).PORT).toBe(3000);
  });

  it('takes the role from --role over ROLE, and refuses separate roles without a shared DATABASE_URL', () => {
    const url = 'postgres://db/x';
    expect(loadConfig({ ROLE: 'api', DATABASE_URL: url }, ['--role', 'projector']).ROLE).toBe('projector');
    expect(loadConfig({ DATABASE_URL: url }, ['--role=worker']).ROLE).toBe('worker');
    expect(problemsOf({ ROLE: 'api' })).toEqual([expect.stringContaining('DATABASE_URL: separate roles share their servers')]);
  });

  it('reads DATABASE_READ_URL: a postgres:// URL, only beside a DATABASE_URL naming another server', () => {
    const primary = 'postgres://u@db-primary:5432/app';
    const replica = 'postgres://u@db-replica:5432/app';
    expect(loadSettings({ DATABASE_URL: primary, DATABASE_READ_URL: replica }, [])).toMatchObject({ databaseUrl: primary, databaseReadUrl: replica });
    expect(loadSettings({ DATABASE_URL: primary }, []).databaseReadUrl).toBeUndefined();
    expect(problemsOf({ DATABASE_URL: primary, DATABASE_READ_URL: 'mysql://x' })).toEqual([expect.stringContaining('DATABASE_READ_URL: must be a postgres://')]);
    expect(problemsOf({ DATABASE_READ_URL: replica })).toEqual([expect.stringContaining('DATABASE_READ_URL: a read replica follows a primary')]);
    expect(problemsOf({ DATABASE_URL: primary, DATABASE_READ_URL: primary })).toEqual([expect.stringContaining('DATABASE_READ_URL: names the same server as DATABASE_URL')]);
  });

  it('reads the rate limits: on by default with the table\'s limits, one class set by RATE_LIMIT_<CLASS>, all off by RATE_LIMITS=off', () => {
    const defaults = loadSettings({}, []).rateLimits;
    expect(defaults.enabled).toBe(true);
    expect(defaults.limits).toMatchObject({ login: { limit: 25, windowMs: 300_000 }, register: { limit: 5, windowMs: 1_800_000 }, anonymous: { limit: 300, windowMs: 300_000 } });
    expect(loadSettings({ RATE_LIMIT_REGISTER: '3/10s' }, []).rateLimits.limits.register).toEqual({ limit: 3, windowMs: 10_000 });
    expect(loadSettings({ RATE_LIMITS: 'off' }, []).rateLimits.enabled).toBe(false);
    expect(problemsOf({ RATE_LIMIT_LOGIN: 'lots' })).toEqual([expect.stringContaining('RATE_LIMIT_LOGIN: "lots" is not a limit like 5/30m')]);
    expect(problemsOf({ RATE_LIMIT_LOGIN: '0/5m' })).toHaveLength(1);
    expect(problemsOf({ RATE_LIMITS: 'maybe' })).toEqual([expect.stringMatching(/^RATE_LIMITS: /)]);
  });

  it('reads TRUST_PROXY as Fastify takes it: off by default, true, a hop count or a list', () => {
    expect(loadSettings({}, []).http.trustProxy).toBe(false);
    expect(loadSettings({ TRUST_PROXY: 'true' }, []).http.trustProxy).toBe(true);
    expect(loadSettings({ TRUST_PROXY: '2' }, []).http.trustProxy).toBe(2);
    expect(loadSettings({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }, []).http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('is a list of host:port, named in what is wrong with it', () => {
    expect(loadSettings({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7001, redis-2:7002 ,' }, []).redisClusterNodes).toEqual(['10.0.0.1:7001', 'redis-2:7002']);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7001' })).toEqual([expect.stringContaining('REDIS_CLUSTER_NODES.0: each node must be host:port')]);
    expect(problemsOf({ REDIS_CLUSTER_NODES: ' , ' })).toEqual([expect.stringContaining('REDIS_CLUSTER_NODES: list at least one host:port')]);
    expect(hostPortOf('redis-2:7002')).toEqual({ host: 'redis-2', port: 7002 });
  });

  it("is read from services:up's file by the tests, never filled into npm start's environment (a cluster runs the platform only when asked for)", () => {
    const root = mkdtempSync(join(tmpdir(), 'urls-'));
    mkdirSync(join(root, '.services'));
    writeFileSync(join(root, '.services', 'urls.env'), 'REDIS_URL=redis://file\nREDIS_CLUSTER_NODES=127.0.0.1:7001,127.0.0.1:7002\n');
    expect(parseServiceUrls('REDIS_CLUSTER_NODES=127.0.0.1:7001\n')).toEqual({ REDIS_CLUSTER_NODES: '127.0.0.1:7001' });
    expect(withServiceUrls({}, root)).toEqual({ REDIS_URL: 'redis://file' });
    expect(withServiceUrls({ REDIS_CLUSTER_NODES: 'mine:1' }, root)).toEqual({ REDIS_CLUSTER_NODES: 'mine:1', REDIS_URL: 'redis://file' });
    rmSync(root, { recursive: true });
  });
});
