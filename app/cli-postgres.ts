import { resolve } from 'node:path';
import { EMBEDDED_POSTGRES_PORT, type Settings } from './config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { isPostgresReachable } from './postgres-reachable.js';

/**
 * The PostgreSQL a CLI (replay, admin) works on: DATABASE_URL when set; else, on the embedded
 * defaults, the running platform's bundled PostgreSQL, or the same one under DATA_DIR started
 * for the command (`stop` ends it; a no-op for any other).
 */
export const cliPostgres = async (settings: Pick<Settings, 'databaseUrl' | 'dataDir'>): Promise<{ url: string; stop(): Promise<void> }> => {
  if (settings.databaseUrl) return { url: settings.databaseUrl, stop: async () => undefined };
  const running = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_POSTGRES_PORT}/postgres`;
  if (await isPostgresReachable(running)) return { url: running, stop: async () => undefined };
  const embedded = await startEmbeddedPostgres({ dataDir: `${resolve(settings.dataDir)}/postgres`, persistent: true, port: EMBEDDED_POSTGRES_PORT });
  return { url: embedded.url, stop: () => embedded.stop() };
};
