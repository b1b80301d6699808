import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatServiceUrls, readServiceUrlsFile, type ServiceUrls } from '../../app/service-urls.js';
import { ensureElasticsearch } from './elasticsearch.js';
import { kafkaAnswers, runningKafka, runningKafkaCluster, startKafka, startKafkaCluster } from './kafka.js';
import { ensurePostgres, postgresAnswers } from './postgres.js';
import { ensurePostgresReplica } from './postgres-replica.js';
import { ensureRedis, redisAnswers } from './redis.js';
import { ensureRedisCluster } from './redis-cluster.js';
import { ensureS3Proxy } from './s3proxy.js';
import { SERVICE_KEYS, servicesSettings } from './settings.js';

// npm run services:up: makes sure every server the tests and `npm start` use answers on
// loopback, reusing what already runs and starting the rest, then writes their URLs to
// <services>/urls.env. A URL already in the environment is used as given (it must answer).
// Idempotent; with everything running it only checks (well under two seconds). What it starts
// keeps running until `npm run services:down`.
const settings = servicesSettings();
const { servicesDir } = settings;

const given = async (name: string, answers: (url: string) => Promise<boolean>): Promise<string | null> => {
  const url = process.env[name];
  if (!url) return null;
  if (!(await answers(url))) throw new Error(`${name} is set but ${url} does not answer`);
  return url;
};

const httpAnswers = async (url: string) => (await fetch(url).catch(() => null))?.ok === true;

const kafkaNodeDir = join(servicesDir, 'kafka', 'node');
const kafkaCluster = { servicesDir, clusterDir: join(servicesDir, 'kafka-cluster'), ports: settings.kafkaClusterPorts };

type Entry = [keyof ServiceUrls, string];

const starters: Record<(typeof settings.services)[number], () => Promise<Entry | Entry[]>> = {
  postgres: async () => ['DATABASE_URL', (await given('DATABASE_URL', postgresAnswers)) ?? (await ensurePostgres(servicesDir, settings.postgresPort)).url],
  redis: async () => ['REDIS_URL', (await given('REDIS_URL', redisAnswers)) ?? (await ensureRedis(servicesDir, settings.redisPort)).url],
  // Six nodes on SERVICES_REDIS_CLUSTER_PORT.. (7001-7006): reused when they answer as a whole cluster.
  'redis-cluster': async () => {
    const options = { home: join(servicesDir, 'redis-cluster'), ports: settings.redisClusterPorts, binariesHome: join(servicesDir, 'redis') };
    return ['REDIS_CLUSTER_NODES', (await ensureRedisCluster(options)).nodes];
  },
  kafka: async () => {
    // A list of brokers is taken as given: KafkaJS checks it when it connects.
    if (process.env.KAFKA_BROKERS) return ['KAFKA_BROKERS', process.env.KAFKA_BROKERS];
    const options = { servicesDir, nodeDir: kafkaNodeDir, port: settings.kafkaPort, controllerPort: settings.kafkaControllerPort };
    const node = await runningKafka(kafkaNodeDir, settings.kafkaPort);
    if (node) return ['KAFKA_BROKERS', node.brokers];
    if (await kafkaAnswers(settings.kafkaPort)) return ['KAFKA_BROKERS', `127.0.0.1:${settings.kafkaPort}`];
    console.error(`[kafka] starting a broker on 127.0.0.1:${settings.kafkaPort}`);
    return ['KAFKA_BROKERS', (await startKafka(options)).brokers];
  },
  'kafka-cluster': async () => {
    if (process.env.KAFKA_BROKERS) return ['KAFKA_BROKERS', process.env.KAFKA_BROKERS];
    const running = await runningKafkaCluster(kafkaCluster);
    if (running) return ['KAFKA_BROKERS', running.brokers];
    console.error(`[kafka] starting a cluster of three on 127.0.0.1:${kafkaCluster.ports.map(({ port }) => port).join(',')}`);
    return ['KAFKA_BROKERS', (await startKafkaCluster(kafkaCluster)).brokers];
  },
  elasticsearch: async () => ['ELASTICSEARCH_URL', (await given('ELASTICSEARCH_URL', httpAnswers)) ?? (await ensureElasticsearch(servicesDir))],
  s3: async () => {
    // A store of one's own (S3_BUCKET set: AWS, MinIO, R2...) is used as the environment says: no S3Proxy, nothing written.
    if (process.env.S3_BUCKET) return [];
    const store = await ensureS3Proxy(servicesDir, settings.s3Port);
    return [
      ['S3_ENDPOINT', store.endpoint],
      ['S3_BUCKET', store.bucket],
      ['S3_REGION', store.region],
      ['S3_ACCESS_KEY_ID', store.accessKeyId],
      ['S3_SECRET_ACCESS_KEY', store.secretAccessKey],
      ['S3_FORCE_PATH_STYLE', 'true'],
    ];
  },
  // A primary and a streaming replica of their own, for the read-replica tests (not DATABASE_URL
  // and DATABASE_READ_URL: the replica follows its own primary, not the shared server).
  'postgres-replica': async () => {
    const { primaryUrl, replicaUrl } = await ensurePostgresReplica(servicesDir, { primary: settings.postgresReplicaPrimaryPort, replica: settings.postgresReplicaPort });
    return [
      ['POSTGRES_REPLICA_PRIMARY_URL', primaryUrl],
      ['POSTGRES_REPLICA_URL', replicaUrl],
    ];
  },
};

const main = async () => {
  await mkdir(servicesDir, { recursive: true });
  const started = performance.now();
  const results = await Promise.allSettled(settings.services.map((name) => starters[name]()));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  const entries = results.flatMap((result) => (result.status !== 'fulfilled' ? [] : typeof result.value[0] === 'string' ? [result.value as Entry] : (result.value as Entry[])));
  const urls = Object.fromEntries(entries) as ServiceUrls;
  // SERVICES naming some: the URLs of the others stay as the last services:up wrote them.
  const written = new Set(settings.services.flatMap((name) => SERVICE_KEYS[name]));
  const others = process.env.SERVICES ? Object.entries(readServiceUrlsFile(join(servicesDir, 'urls.env'))).filter(([key]) => !written.has(key as keyof ServiceUrls)) : [];
  await writeFile(join(servicesDir, 'urls.env'), formatServiceUrls({ ...Object.fromEntries(others), ...urls }));
  for (const [key, value] of Object.entries(urls)) console.log(`${key}=${value}`);
  console.error(`[services] ${join(servicesDir, 'urls.env')} written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length > 0) {
    for (const failure of failures) console.error(failure.message);
    process.exit(1);
  }
};

await main();
