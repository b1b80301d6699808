import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { javaBinary, maven, run } from './java.js';
import { isAlive, livePid, portAnswers, stopPid, waitFor } from './probe.js';

// A single-node Apache Kafka 3.9 broker in KRaft mode (broker and controller in one process) on
// loopback. Its jars come from Maven Central (kafka/pom.xml, copied with Maven's dependency
// plugin into <services>/kafka/<version>/libs, once); each node has a folder of its own holding
// its configuration, data, log and pid, so a test can run a broker of its own beside the shared
// one. KafkaJS predates Kafka 4.0 (which dropped the old protocol versions it speaks): 3.9.x is
// the newest line it works with.
export const KAFKA_VERSION = '3.9.1';
const POM = resolve(import.meta.dirname, 'kafka', 'pom.xml');

export interface KafkaNodeOptions {
  /** Where the jars are cached (.services). */
  servicesDir: string;
  /** The node's own folder: config, data, logs, pid. */
  nodeDir: string;
  port: number;
  controllerPort: number;
  heap?: string;
  /** A node of a cluster (startKafkaCluster); unset: a cluster of one, node 1. */
  cluster?: { nodeId: number; clusterId: string; voters: string; replicas: number };
  /** How long the start may take (default 60 s; three JVMs starting at once on 2 cores take longer). */
  startTimeoutMs?: number;
}

export interface KafkaNode {
  brokers: string;
  pid: number;
}

/** Fetches the broker's jars once; returns the classpath folder. */
export const ensureKafkaJars = async (servicesDir: string): Promise<string> => {
  const libs = join(servicesDir, 'kafka', KAFKA_VERSION, 'libs');
  if (existsSync(join(libs, '.complete'))) return libs;
  const partial = `${libs}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  console.error(`[kafka] fetching Apache Kafka ${KAFKA_VERSION} from Maven Central`);
  // Run in a scratch folder: the plugin leaves marker files in the working directory.
  await maven(partial, ['-f', POM, `-Dkafka.version=${KAFKA_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime']);
  await rm(join(partial, 'target'), { recursive: true, force: true });
  await writeFile(join(partial, '.complete'), '');
  await rm(libs, { recursive: true, force: true });
  await rename(partial, libs);
  return libs;
};

const serverProperties = ({ nodeDir, port, controllerPort, cluster }: KafkaNodeOptions) => {
  const nodeId = cluster?.nodeId ?? 1;
  const replicas = cluster?.replicas ?? 1;
  // The internal topics' (offsets, transactions) in-sync minimum, as the application's topics have it: one broker may be lost.
  const minInsync = replicas >= 3 ? 2 : 1;
  return `# Written by scripts/services/kafka.ts at every start.
process.roles=broker,controller
node.id=${nodeId}
controller.quorum.voters=${cluster?.voters ?? `${nodeId}@127.0.0.1:${controllerPort}`}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${join(nodeDir, 'data')}
# Topics are created by the application, with the partitions and replication it is configured with.
auto.create.topics.enable=false
# Internal topics on every node of the cluster (one node: one replica); a few partitions keep the first group join quick.
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minInsync}
default.replication.factor=${replicas}
min.insync.replicas=${minInsync}
group.initial.rebalance.delay.ms=0
# A broker restarted after a crash waits for its old registration to expire: keep that short. It is
# also how soon the controller moves the leadership of a killed broker's partitions to another replica.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=2000
`;
};

const log4jProperties = (nodeDir: string) => `log4j.rootLogger=INFO, file
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${join(nodeDir, 'logs', 'server.log')}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

const pidFile = (nodeDir: string) => join(nodeDir, 'kafka.pid');
const MARKER = 'kafka.Kafka';

/** The node of `nodeDir` when its process runs and its port answers. */
export const runningKafka = async (nodeDir: string, port: number): Promise<KafkaNode | null> => {
  const pid = await livePid(pidFile(nodeDir), MARKER);
  return pid && (await portAnswers(port)) ? { brokers: `127.0.0.1:${port}`, pid } : null;
};

/**
 * Whether a Kafka broker (not of ours: another checkout's, or one started by hand) answers on
 * `port`: then it is reused, as PostgreSQL and Redis are, rather than failing on a taken port.
 */
export const kafkaAnswers = async (port: number): Promise<boolean> => {
  if (!(await portAnswers(port))) return false;
  const admin = new Kafka({ clientId: 'services-up', brokers: [`127.0.0.1:${port}`], connectionTimeout: 2_000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

/** Starts the node (formatting its storage the first time) and resolves once it serves. */
export const startKafka = async (options: KafkaNodeOptions): Promise<KafkaNode> => {
  const { nodeDir, port, controllerPort } = options;
  const running = await runningKafka(nodeDir, port);
  if (running) return running;
  for (const taken of [port, controllerPort]) if (await portAnswers(taken)) throw new Error(`[kafka] port ${taken} on 127.0.0.1 is taken`);
  const libs = await ensureKafkaJars(options.servicesDir);
  const classpath = `${libs}/*`;
  await mkdir(join(nodeDir, 'logs'), { recursive: true });
  const config = join(nodeDir, 'server.properties');
  await writeFile(config, serverProperties(options));
  await writeFile(join(nodeDir, 'log4j.properties'), log4jProperties(nodeDir));
  const log4j = `-Dlog4j.configuration=file:${join(nodeDir, 'log4j.properties')}`;
  if (!existsSync(join(nodeDir, 'data', 'meta.properties'))) {
    const clusterId = options.cluster?.clusterId ?? (await run(javaBinary(), [log4j, '-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'])).stdout.trim();
    await run(javaBinary(), [log4j, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config]);
  }
  const serverLog = join(nodeDir, 'logs', 'server.log');
  const logStart = (await stat(serverLog).catch(() => null))?.size ?? 0;
  const output = await open(join(nodeDir, 'logs', 'stdout.log'), 'a');
  const heap = options.heap ?? '512m';
  const child = spawn(javaBinary(), [`-Xms${heap}`, `-Xmx${heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true', log4j, '-cp', classpath, MARKER, config], {
    detached: true,
    stdio: ['ignore', output.fd, output.fd],
  });
  child.unref();
  await output.close();
  await writeFile(pidFile(nodeDir), `${child.pid}\n`);
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(`[kafka] the broker on port ${port} to start (see ${serverLog})`, options.startTimeoutMs ?? 60_000, async () => {
    if (exited) throw new Error(`[kafka] the broker exited at start; see ${serverLog} and ${join(nodeDir, 'logs', 'stdout.log')}`);
    const log = await readFile(serverLog, 'utf8').catch(() => '');
    return log.slice(logStart).includes('Kafka Server started') && (await portAnswers(port));
  });
  return { brokers: `127.0.0.1:${port}`, pid: child.pid! };
};

/** Stops the node of `nodeDir` if it runs (SIGKILL with `kill`, as a crash would). */
export const stopKafka = async (nodeDir: string, { kill = false } = {}): Promise<boolean> => {
  const pid = await livePid(pidFile(nodeDir), MARKER);
  if (pid && kill) {
    process.kill(pid, 'SIGKILL');
    await waitFor(`[kafka] pid ${pid} to die`, 10_000, async () => !isAlive(pid));
  } else if (pid) await stopPid(pid);
  await rm(pidFile(nodeDir), { force: true });
  return pid !== null;
};

// A cluster of three: each node broker and controller, the controller quorum the three of them,
// one cluster id (kept in <clusterDir>/cluster-id, so every node is formatted into the same
// cluster), node n in <clusterDir>/node-n. Internal topics get three replicas, two in sync.
export const KAFKA_CLUSTER_SIZE = 3;

export interface KafkaClusterOptions {
  servicesDir: string;
  clusterDir: string;
  /** The nodes' client and controller ports, one pair per node (KAFKA_CLUSTER_SIZE of them). */
  ports: { port: number; controllerPort: number }[];
  heap?: string;
}

export interface KafkaCluster {
  /** host:port of every node, comma-separated (KAFKA_BROKERS). */
  brokers: string;
  /** Node n's options (n from 1), to stop or start it alone (startKafka, stopKafka with its nodeDir). */
  node(nodeId: number): KafkaNodeOptions;
}

const clusterIdOf = async (clusterDir: string): Promise<string> => {
  const file = join(clusterDir, 'cluster-id');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  // Kafka's cluster ids are 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` prints them.
  const id = randomBytes(16).toString('base64url');
  await mkdir(clusterDir, { recursive: true });
  await writeFile(file, `${id}\n`);
  return id;
};

const clusterNodes = async ({ servicesDir, clusterDir, ports, heap }: KafkaClusterOptions): Promise<KafkaNodeOptions[]> => {
  if (ports.length !== KAFKA_CLUSTER_SIZE) throw new Error(`[kafka] a cluster has ${KAFKA_CLUSTER_SIZE} nodes, given ${ports.length} port pairs`);
  const clusterId = await clusterIdOf(clusterDir);
  const voters = ports.map(({ controllerPort }, i) => `${i + 1}@127.0.0.1:${controllerPort}`).join(',');
  return ports.map(({ port, controllerPort }, i) => ({
    servicesDir,
    nodeDir: join(clusterDir, `node-${i + 1}`),
    port,
    controllerPort,
    heap: heap ?? '256m',
    startTimeoutMs: 180_000,
    cluster: { nodeId: i + 1, clusterId, voters, replicas: KAFKA_CLUSTER_SIZE },
  }));
};

const clusterOf = (nodes: KafkaNodeOptions[]): KafkaCluster => ({
  brokers: nodes.map(({ port }) => `127.0.0.1:${port}`).join(','),
  node(nodeId) {
    const node = nodes[nodeId - 1];
    if (!node) throw new Error(`[kafka] no node ${nodeId} in a cluster of ${nodes.length}`);
    return node;
  },
});

/** The cluster of `clusterDir` when every node of it runs and answers. */
export const runningKafkaCluster = async (options: KafkaClusterOptions): Promise<KafkaCluster | null> => {
  const nodes = await clusterNodes(options);
  const running = await Promise.all(nodes.map((node) => runningKafka(node.nodeDir, node.port)));
  return running.every(Boolean) ? clusterOf(nodes) : null;
};

/**
 * Starts the nodes not running yet (all at once: a node finishes starting only once the controller
 * quorum has a majority) and resolves once every one serves.
 */
export const startKafkaCluster = async (options: KafkaClusterOptions): Promise<KafkaCluster> => {
  await ensureKafkaJars(options.servicesDir);
  const nodes = await clusterNodes(options);
  await Promise.all(nodes.map((node) => startKafka(node)));
  return clusterOf(nodes);
};

/** Stops every node of the cluster that runs; whether any did. */
export const stopKafkaCluster = async (clusterDir: string): Promise<boolean> => {
  const stopped = await Promise.all(Array.from({ length: KAFKA_CLUSTER_SIZE }, (_, i) => stopKafka(join(clusterDir, `node-${i + 1}`))));
  return stopped.some(Boolean);
};
