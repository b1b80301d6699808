import { resolve } from 'node:path';

// What services:up and services:down work on, from the environment (every port overridable, so
// the "absent" paths can be tried on ports nothing listens on).
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SERVICE_NAMES = ['postgres', 'redis', 'kafka', 'elasticsearch', 's3', 'postgres-replica'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) throw new Error(`${name} must be a port number, got ${process.env[name]}`);
  return value;
};

export const servicesSettings = () => {
  const names = (process.env.SERVICES ?? SERVICE_NAMES.join(',')).split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`SERVICES: unknown ${unknown.join(', ')}; known: ${SERVICE_NAMES.join(', ')}`);
  return {
    /** Where the services keep their files, and where urls.env is written: <dir>/urls.env. */
    servicesDir: resolve(process.env.SERVICES_DIR ?? resolve(ROOT, '.services')),
    services: names as ServiceName[],
    postgresPort: port('SERVICES_POSTGRES_PORT', 5432),
    redisPort: port('SERVICES_REDIS_PORT', 6379),
    kafkaPort: port('SERVICES_KAFKA_PORT', 19092),
    kafkaControllerPort: port('SERVICES_KAFKA_CONTROLLER_PORT', 19093),
    s3Port: port('SERVICES_S3_PORT', 19000),
    postgresReplicaPrimaryPort: port('SERVICES_POSTGRES_REPLICA_PRIMARY_PORT', 15432),
    postgresReplicaPort: port('SERVICES_POSTGRES_REPLICA_PORT', 15433),
  };
};
