import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatServiceUrls, readServiceUrlsFile } from '../../app/service-urls.js';
import { stopElasticsearch } from './elasticsearch.js';
import { stopKafka, stopKafkaCluster } from './kafka.js';
import { stopPostgres } from './postgres.js';
import { stopPostgresReplica } from './postgres-replica.js';
import { stopRedis } from './redis.js';
import { stopRedisCluster } from './redis-cluster.js';
import { stopS3Proxy } from './s3proxy.js';
import { SERVICE_KEYS, SERVICE_NAMES, servicesSettings } from './settings.js';

// npm run services:down: stops what services:up started, known by the pid files under
// <services> (a server it found already running has none, and is left alone), and removes
// urls.env. Cached downloads and data stay, so the next services:up is quick.
const settings = servicesSettings();
const { servicesDir, redisClusterPorts } = settings;
// Without SERVICES, everything it may have started: the single broker and the cluster alike.
const services = process.env.SERVICES ? settings.services : SERVICE_NAMES;

const stoppers = {
  postgres: () => stopPostgres(servicesDir),
  redis: () => stopRedis(servicesDir),
  'redis-cluster': () => stopRedisCluster(join(servicesDir, 'redis-cluster'), redisClusterPorts),
  kafka: () => stopKafka(join(servicesDir, 'kafka', 'node')),
  'kafka-cluster': () => stopKafkaCluster(join(servicesDir, 'kafka-cluster')),
  elasticsearch: () => stopElasticsearch(servicesDir),
  s3: () => stopS3Proxy(servicesDir),
  'postgres-replica': () => stopPostgresReplica(servicesDir),
};

const results = await Promise.allSettled(services.map(async (name) => [name, await stoppers[name]()] as const));
for (const result of results) {
  if (result.status === 'rejected') console.error(`[services] ${(result.reason as Error).message}`);
  else console.error(`[services] ${result.value[0]}: ${result.value[1] ? 'stopped' : 'not started by services:up'}`);
}
// The URLs of the services left alone stay in urls.env.
const kept = Object.entries(readServiceUrlsFile(join(servicesDir, 'urls.env'))).filter(
  ([key]) => !services.some((name) => (SERVICE_KEYS[name] as readonly string[]).includes(key)),
);
if (!process.env.SERVICES || kept.length === 0) await rm(join(servicesDir, 'urls.env'), { force: true });
else await writeFile(join(servicesDir, 'urls.env'), formatServiceUrls(Object.fromEntries(kept)));
if (results.some((result) => result.status === 'rejected')) process.exit(1);
