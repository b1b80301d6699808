import { Cluster, Redis } from 'ioredis';
import { UNPIPELINED_COMMANDS } from '../projections/feed/feed-store-redis.js';

// The one Redis connection a process runs on (feeds, stories, rate limits, caches, the buses):
// a single server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES) through ioredis's cluster
// client, which routes each command to the primary owning its key's slot. Every Redis user takes
// `Redis | Cluster` and names one key per command, or one hash tag per script (docs/architecture.md
// "Redis Cluster"). Every command is auto-pipelined (sent together at the end of the event loop's turn)
// except UNPIPELINED_COMMANDS, the hot path's one-command reads.
export type RedisClient = Redis | Cluster;

export interface RedisTarget {
  redisUrl?: string | undefined;
  /** host:port of some of the cluster's nodes (the client learns the rest from CLUSTER SLOTS). */
  redisClusterNodes?: readonly string[] | undefined;
}

/**
 * How the cluster client rides through a failover (a primary killed, its replica promoted after
 * cluster-node-timeout and an election): a command whose connection closed, or that got
 * CLUSTERDOWN while the slots had no primary, is retried every RETRY_DELAY_MS after a refresh of
 * the slot map, up to MAX_REDIRECTIONS times (~8 s), then fails as any Redis failure does (503,
 * degraded reads; a projector retries its batch: the feed's writes are idempotent).
 */
export const CLUSTER_RETRY = { RETRY_DELAY_MS: 250, MAX_REDIRECTIONS: 32 } as const;

/** Both clients' batching: every command auto-pipelined but the hot path's one-command reads. */
const AUTO_PIPELINING = { enableAutoPipelining: true, autoPipeliningIgnoredCommands: [...UNPIPELINED_COMMANDS] };

export const clusterOptions = (overrides: { keyPrefix?: string } = {}) => ({
  ...AUTO_PIPELINING,
  // Reads from the primaries: a replica may lag, and the feed reads its own writes (freshness waits).
  scaleReads: 'master' as const,
  retryDelayOnFailover: CLUSTER_RETRY.RETRY_DELAY_MS,
  retryDelayOnClusterDown: CLUSTER_RETRY.RETRY_DELAY_MS,
  retryDelayOnTryAgain: CLUSTER_RETRY.RETRY_DELAY_MS,
  maxRedirections: CLUSTER_RETRY.MAX_REDIRECTIONS,
  // Every startup node unreachable: try again, at most every 2 s (never give up: the platform reports 503s meanwhile).
  clusterRetryStrategy: (times: number) => Math.min(100 * times, 2_000),
  // The slot map is refreshed on a single command's MOVED and after failures, and every second:
  // an auto-pipeline whose commands a slot move sends to different nodes is not redirected (its
  // MOVED reaches the caller: a 503, a projector batch retried), so the refresh bounds that window
  // (the failover test saw batches fail for 2 s of the old 5 s interval after a node rejoined). A
  // CLUSTER SLOTS of three ranges per second per process costs the cluster next to nothing.
  slotsRefreshInterval: 1_000,
  redisOptions: { maxRetriesPerRequest: 2, connectTimeout: 2_000, ...overrides },
});

export const hostPortOf = (node: string) => {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
};

/** The process's client: the cluster's when REDIS_CLUSTER_NODES is set (it wins over REDIS_URL), else the single server's, else none. */
export const connectRedis = ({ redisUrl, redisClusterNodes }: RedisTarget): RedisClient | null => {
  const client = redisClusterNodes?.length
    ? new Cluster(redisClusterNodes.map(hostPortOf), clusterOptions())
    : redisUrl
      ? new Redis(redisUrl, { ...AUTO_PIPELINING, maxRetriesPerRequest: 2 })
      : null;
  client?.on('error', () => undefined); // reported per command as 503s; ioredis reconnects by itself
  return client;
};
