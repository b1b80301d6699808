import { resolve } from 'node:path';
import { S3_SERVICE_KEYS, type ServiceUrls } from '../../app/service-urls.js';

// What services:up and services:down work on, from the environment (every port overridable, so
// the "absent" paths can be tried on ports nothing listens on).
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SERVICE_NAMES = ['postgres', 'redis', 'redis-cluster', 'kafka', 'elasticsearch', 's3', 'postgres-replica', 'kafka-cluster'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** What services:up starts without SERVICES: one Kafka broker; `kafka-cluster` (three) in its place when asked for. */
export const DEFAULT_SERVICES: readonly ServiceName[] = ['postgres', 'redis', 'redis-cluster', 'kafka', 'elasticsearch', 's3', 'postgres-replica'];

/** The urls.env keys each service writes: a run of some services keeps the others' lines. */
export const SERVICE_KEYS: Record<ServiceName, readonly (keyof ServiceUrls)[]> = {
  postgres: ['DATABASE_URL'],
  redis: ['REDIS_URL'],
  'redis-cluster': ['REDIS_CLUSTER_NODES'],
  kafka: ['KAFKA_BROKERS'],
  'kafka-cluster': ['KAFKA_BROKERS'],
  elasticsearch: ['ELASTICSEARCH_URL'],
  s3: S3_SERVICE_KEYS,
  'postgres-replica': ['POSTGRES_REPLICA_PRIMARY_URL', 'POSTGRES_REPLICA_URL'],
};

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new Error(`${name} must be a port number, got ${process.env[name]}`);
  return value;
};

const clusterPorts = (first: number) => {
  if (first + 5 + 10_000 > 65_535) throw new Error(`SERVICES_REDIS_CLUSTER_PORT must leave room for six ports and their bus ports (+ 10000), got ${first}`);
  return Array.from({ length: 6 }, (_, i) => first + i);
};

export const servicesSettings = () => {
  const names = (process.env.SERVICES ?? DEFAULT_SERVICES.join(',')).split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`SERVICES: unknown ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  // Both would write KAFKA_BROKERS.
  if (names.includes('kafka') && names.includes('kafka-cluster')) throw new Error('SERVICES: kafka and kafka-cluster both provide KAFKA_BROKERS; name one');
  const clusterPort = port('SERVICES_KAFKA_CLUSTER_PORT', 19192);
  if (clusterPort + 102 > 65_535) throw new Error(`SERVICES_KAFKA_CLUSTER_PORT must leave room for its nodes' ports (up to +102), got ${clusterPort}`);
  return {
    /** Where the services keep their files, and where urls.env is written: <dir>/urls.env. */
    servicesDir: resolve(process.env.SERVICES_DIR ?? resolve(ROOT, '.services')),
    services: names as ServiceName[],
    postgresPort: port('SERVICES_POSTGRES_PORT', 5432),
    redisPort: port('SERVICES_REDIS_PORT', 6379),
    /** The Redis Cluster's six nodes: this port and the five after it (each with its bus port, + 10000). */
    redisClusterPorts: clusterPorts(port('SERVICES_REDIS_CLUSTER_PORT', 7001)),
    kafkaPort: port('SERVICES_KAFKA_PORT', 19092),
    kafkaControllerPort: port('SERVICES_KAFKA_CONTROLLER_PORT', 19093),
    s3Port: port('SERVICES_S3_PORT', 19000),
    /** The cluster's nodes: clients on SERVICES_KAFKA_CLUSTER_PORT and the next two ports, controllers 100 ports above. */
    kafkaClusterPorts: [0, 1, 2].map((i) => ({ port: clusterPort + i, controllerPort: clusterPort + 100 + i })),
    postgresReplicaPrimaryPort: port('SERVICES_POSTGRES_REPLICA_PRIMARY_PORT', 15432),
    postgresReplicaPort: port('SERVICES_POSTGRES_REPLICA_PORT', 15433),
  };
};
