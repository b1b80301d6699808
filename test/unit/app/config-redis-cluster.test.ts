import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSettings } from '../../../app/config.js';
import { hostPortOf } from '../../../app/redis-client.js';
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
