import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { run } from './java.js';
import { livePid, portAnswers, stopPid, waitFor } from './probe.js';
import { redisBinary } from './redis.js';

// A Redis Cluster on loopback (issue 19 item 1): six redis-server processes from the binary
// services:up runs the single Redis with (scripts/services/redis.ts), three primaries with one
// replica each, made with `redis-cli --cluster create`. Each node keeps its own folder under
// <home> (<services>/redis-cluster by default): nodes-<port>.conf (the cluster's view, so that a
// node restarted later rejoins with its slots), its append-only file, pid file and log.

/** Three primaries and a replica each: the smallest cluster that survives losing a primary. */
export const REDIS_CLUSTER_SIZE = 6;

export interface RedisClusterOptions {
  /** Where the nodes keep their folders. */
  home: string;
  /** The nodes' ports (REDIS_CLUSTER_SIZE of them); each also uses port + 10000 for the cluster bus. */
  ports: readonly number[];
  /**
   * How long a node may not answer before the others count it failed (cluster-node-timeout). A
   * replica is promoted within about twice this after its primary dies.
   */
  nodeTimeoutMs?: number;
  /** The folder of the binaries services:up's single Redis uses (it may unpack them there). */
  binariesHome: string;
}

export interface RedisClusterService {
  /** host:port of every node, comma-separated: REDIS_CLUSTER_NODES. */
  nodes: string;
  ours: boolean;
}

const nodeDir = (home: string, port: number) => join(home, `${port}`);
const pidFileOf = (home: string, port: number) => join(nodeDir(home, port), 'redis.pid');
export const clusterNodesOf = (ports: readonly number[]) => ports.map((port) => `127.0.0.1:${port}`).join(',');

/** CLUSTER INFO of one node as fields (null when it does not answer). */
export const clusterInfo = async (port: number): Promise<Record<string, string> | null> => {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = (await client.cluster('INFO')) as string;
    return Object.fromEntries(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
};

/** INFO replication of one node, as fields (null when it does not answer). */
const replicationInfo = async (port: number): Promise<Record<string, string> | null> => {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = await client.info('replication');
    return Object.fromEntries(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
};

/** Every replica has synced with its primary: only then can it take over when the primary dies. */
export const replicasInSync = async (ports: readonly number[]): Promise<boolean> => {
  const infos = await Promise.all(ports.map(replicationInfo));
  return infos.every((info) => info !== null && (info.role === 'master' || info.master_link_status === 'up'));
};

/** Every node answers, knows all the others and says the cluster is whole (all 16384 slots served). */
export const clusterIsWhole = async (ports: readonly number[]): Promise<boolean> => {
  const infos = await Promise.all(ports.map(clusterInfo));
  return infos.every((info) => info?.cluster_state === 'ok' && Number(info.cluster_known_nodes) === ports.length);
};

const startNode = async (binary: string, env: NodeJS.ProcessEnv, home: string, port: number, nodeTimeoutMs: number) => {
  const dir = nodeDir(home, port);
  await mkdir(dir, { recursive: true });
  // appendonly: a restarted node comes back with its data; the epoch guard (projections/runtime/redis-epoch.ts) catches the rest.
  const args = ['--port', `${port}`, '--bind', '127.0.0.1', '--daemonize', 'yes', '--pidfile', pidFileOf(home, port), '--dir', dir, '--logfile', join(dir, 'redis.log')];
  const cluster = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', `${nodeTimeoutMs}`];
  // No delay before a replica's first sync (the default waits 5 s for more replicas): a replica
  // that never synced refuses to take over ("disconnected from master for longer than allowed").
  await run(binary, [...args, ...cluster, '--appendonly', 'yes', '--save', '', '--repl-diskless-sync-delay', '0'], { env });
};

/** Restarts one node of a cluster ensureRedisCluster made (its folder and config kept): it rejoins, as a replica when it was failed over. */
export const restartClusterNode = async (options: RedisClusterOptions, port: number): Promise<void> => {
  const { binary, libraries } = await redisBinary(options.binariesHome);
  const env = libraries ? { ...process.env, LD_LIBRARY_PATH: libraries } : process.env;
  await startNode(binary, env, options.home, port, options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS);
};

const DEFAULT_NODE_TIMEOUT_MS = 2_000;

/** The cluster that answers on the ports, else one of our own started there (a few seconds). */
export const ensureRedisCluster = async (options: RedisClusterOptions): Promise<RedisClusterService> => {
  const { home, ports, nodeTimeoutMs = DEFAULT_NODE_TIMEOUT_MS } = options;
  if (ports.length !== REDIS_CLUSTER_SIZE) throw new Error(`[redis-cluster] ${REDIS_CLUSTER_SIZE} ports needed, got ${ports.length}`);
  const nodes = clusterNodesOf(ports);
  const ours = async () => (await Promise.all(ports.map((port) => livePid(pidFileOf(home, port), 'redis')))).every((pid) => pid !== null);
  if (await clusterIsWhole(ports)) return { nodes, ours: await ours() };
  const { binary, libraries } = await redisBinary(options.binariesHome);
  const env = libraries ? { ...process.env, LD_LIBRARY_PATH: libraries } : process.env;
  for (const port of ports) {
    if (await livePid(pidFileOf(home, port), 'redis')) continue;
    if (await portAnswers(port)) throw new Error(`[redis-cluster] 127.0.0.1:${port} is taken by something that is not this cluster's node`);
    await startNode(binary, env, home, port, nodeTimeoutMs);
  }
  await waitFor('[redis-cluster] every node to answer', 10_000, async () => (await Promise.all(ports.map(clusterInfo))).every((info) => info !== null));
  const infos = await Promise.all(ports.map(clusterInfo));
  // Nodes that met before (their nodes-<port>.conf) find each other again by themselves; new ones are made a cluster.
  if (infos.every((info) => Number(info!.cluster_known_nodes) === 1)) {
    console.error(`[redis-cluster] creating a cluster of ${nodes} (3 primaries, 3 replicas)`);
    const cli = join(dirname(binary), 'redis-cli');
    await run(cli, ['--cluster', 'create', ...nodes.split(','), '--cluster-replicas', '1', '--cluster-yes'], { env });
  }
  await waitFor('[redis-cluster] cluster_state:ok on every node', 30_000, () => clusterIsWhole(ports));
  await waitFor('[redis-cluster] every replica in sync with its primary', 30_000, () => replicasInSync(ports));
  return { nodes, ours: true };
};

/** Stops the nodes ensureRedisCluster started in `home` (true when there was one). */
export const stopRedisCluster = async (home: string, ports: readonly number[]): Promise<boolean> => {
  const pids = await Promise.all(ports.map((port) => livePid(pidFileOf(home, port), 'redis')));
  await Promise.all(pids.map((pid) => (pid ? stopPid(pid) : undefined)));
  return pids.some((pid) => pid !== null);
};

/** The pid of the node on `port`, when this cluster started it and it runs. */
export const clusterNodePid = (home: string, port: number) => livePid(pidFileOf(home, port), 'redis');

/** The primaries serving slots, by port, as the first of `ports` that answers sees them (CLUSTER NODES), failed ones left out. */
export const clusterPrimaries = async (ports: readonly number[]): Promise<number[]> => {
  let lastError: unknown = new Error('[redis-cluster] no port given');
  for (const port of ports) {
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      const text = (await client.cluster('NODES')) as string;
      // <id> <ip:port@bus> <flags> <primary> <ping> <pong> <epoch> <link> <slots...>
      return text.split('\n').flatMap((line) => {
        const [, address, flags = '', , , , , , ...slots] = line.split(' ');
        const roles = flags.split(',');
        return roles.includes('master') && !roles.some((role) => role.startsWith('fail')) && slots.length > 0 ? [Number(address!.split('@')[0]!.split(':')[1])] : [];
      });
    } catch (error) {
      lastError = error; // a node loading its data, or gone: ask the next
    } finally {
      client.disconnect();
    }
  }
  throw lastError;
};

/** Six ports from `from` on (in steps of 10) that nothing listens on, nor on their bus ports (+ 10000): a cluster of a test's or bench's own. */
export const freeClusterPorts = async (from = 7_100): Promise<number[]> => {
  for (let base = from; base < from + 800; base += 10) {
    const ports = Array.from({ length: REDIS_CLUSTER_SIZE }, (_, i) => base + i);
    const taken = await Promise.all(ports.flatMap((port) => [portAnswers(port, 200), portAnswers(port + 10_000, 200)]));
    if (!taken.some(Boolean)) return ports;
  }
  throw new Error(`[redis-cluster] no six free ports in ${from}-${from + 799}`);
};
