import { resolve } from 'node:path';
import { readServiceUrls } from '../../app/service-urls.js';
import { ensurePostgresReplica, type PostgresReplicaService } from '../../scripts/services/postgres-replica.js';

// The PostgreSQL primary and streaming replica of the read-replica tests: the ones named by
// POSTGRES_REPLICA_PRIMARY_URL and POSTGRES_REPLICA_URL in the environment, else in
// .services/urls.env (npm run services:up), else started here from the bundled binaries (as
// services:up would: a few seconds, and left running for the next run; services:down stops them).
const ROOT = resolve(import.meta.dirname, '../..');

let service: Promise<PostgresReplicaService> | undefined;

const resolveService = async (): Promise<PostgresReplicaService> => {
  const fromFile = readServiceUrls(ROOT);
  const primaryUrl = process.env.POSTGRES_REPLICA_PRIMARY_URL ?? fromFile.POSTGRES_REPLICA_PRIMARY_URL;
  const replicaUrl = process.env.POSTGRES_REPLICA_URL ?? fromFile.POSTGRES_REPLICA_URL;
  if (primaryUrl && replicaUrl) return { primaryUrl, replicaUrl };
  const started = await ensurePostgresReplica(resolve(ROOT, '.services'), {
    primary: Number(process.env.SERVICES_POSTGRES_REPLICA_PRIMARY_PORT ?? 15432),
    replica: Number(process.env.SERVICES_POSTGRES_REPLICA_PORT ?? 15433),
  });
  console.log(`[tests] no read replica configured; using the bundled primary ${started.primaryUrl} and replica ${started.replicaUrl}`);
  return started;
};

/** The primary and replica of the test run, once per test file. */
export const postgresReplica = (): Promise<PostgresReplicaService> => (service ??= resolveService());
