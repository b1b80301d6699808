import type { Cluster, Redis } from 'ioredis';
import type { ReadModelDump } from './read-model.js';

// Dump and drop for read models kept in Redis, by key patterns (each read model names its own,
// so that two read models sharing a prefix never touch each other's keys). Values are printed in
// a canonical form: members and fields sorted, scores beside their members.
// On a Redis Cluster, SCAN sees one node's keys: every primary is scanned, and keys are unlinked
// one per command (a multi-key UNLINK must stay within one slot).

type RedisClient = Redis | Cluster;

const SCAN_COUNT = 1_000;

/** The cluster's primaries, once the client knows them (a PING waits for its first slot map). */
const primariesOf = async (cluster: Cluster): Promise<Redis[]> => {
  if (cluster.status !== 'ready') await cluster.ping();
  return cluster.nodes('master');
};

const keysMatching = async (redis: RedisClient, patterns: readonly string[]): Promise<string[]> => {
  const keys = new Set<string>();
  const servers: Redis[] = redis.isCluster ? await primariesOf(redis as Cluster) : [redis as Redis];
  for (const server of servers) {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, found] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        for (const key of found) keys.add(key);
        cursor = next;
      } while (cursor !== '0');
    }
  }
  return [...keys].sort();
};

const pairs = (flat: string[]): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

const valueOf = async (redis: RedisClient, key: string): Promise<unknown> => {
  switch (await redis.type(key)) {
    case 'zset':
      return pairs(await redis.zrange(key, 0, -1, 'WITHSCORES')).sort(([a], [b]) => (a! < b! ? -1 : 1));
    case 'hash':
      return Object.entries(await redis.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1));
    case 'set':
      return (await redis.smembers(key)).sort();
    case 'list':
      return await redis.lrange(key, 0, -1);
    case 'string':
      return await redis.get(key);
    default:
      return null; // expired between SCAN and TYPE
  }
};

/** Every key matching the patterns, named without `prefix`, with its canonical value. */
export const dumpRedisKeys = async (redis: RedisClient, prefix: string, patterns: readonly string[]): Promise<ReadModelDump> => {
  const dump: ReadModelDump = new Map();
  for (const key of await keysMatching(redis, patterns)) {
    const value = await valueOf(redis, key);
    if (value !== null) dump.set(key.slice(prefix.length), JSON.stringify(value));
  }
  return dump;
};

export const dropRedisKeys = async (redis: RedisClient, patterns: readonly string[]): Promise<void> => {
  const keys = await keysMatching(redis, patterns);
  for (let i = 0; i < keys.length; i += SCAN_COUNT) {
    const slice = keys.slice(i, i + SCAN_COUNT);
    if (redis.isCluster) await Promise.all(slice.map((key) => redis.unlink(key)));
    else await redis.unlink(...slice);
  }
};
