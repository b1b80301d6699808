import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ConfigError, EMBEDDED_POSTGRES_PORT, loadSettings, type Settings } from './config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { resolveJwtSecrets } from './jwt-secret.js';
import { createPlatform, type Platform } from './platform.js';
import { withServiceUrls } from './service-urls.js';
import { servesHttp } from './roles.js';
import { buildServer } from './server.js';

// The entrypoint: configuration from the environment, embedded defaults for what is unset, the
// role's parts started, and a graceful stop on SIGTERM/SIGINT.
const main = async () => {
  // The servers `npm run services:up` wrote to ./.services/urls.env fill in what the environment leaves unset.
  const settings = loadSettings(withServiceUrls(process.env, process.cwd()));
  const dataDir = resolve(settings.dataDir);
  // Before anything starts: a missing or too short signing secret stops the start with its name.
  const jwtSecrets = await resolveJwtSecrets(settings, dataDir);
  const embedded = settings.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: `${dataDir}/postgres`, persistent: true, port: EMBEDDED_POSTGRES_PORT });
  const platform = await createPlatform({
    ...settings,
    databaseUrl: settings.databaseUrl ?? embedded!.url,
    jwtSecrets,
  });
  // Every role answers /health, /ready and /metrics; only api and all serve the API itself.
  const app = await buildServer({ ...platform, operationsOnly: !servesHttp(settings.role), logger: { level: settings.http.logLevel }, trustProxy: settings.http.trustProxy, webRoot: resolve(settings.http.webRoot) });
  const address = await app.listen({ port: settings.http.port, host: settings.http.host });
  announce(app, address, settings, platform, embedded ? `embedded PostgreSQL (${dataDir}/postgres)` : 'PostgreSQL (DATABASE_URL)');
  stopOnSignal(app, platform, embedded);
};

/** The start-up log line, and on the console what serves each part. */
const announce = (app: FastifyInstance, address: string, settings: Settings, platform: Platform, postgres: string) => {
  const where = { redis: 'Redis (REDIS_URL)', elasticsearch: 'Elasticsearch (ELASTICSEARCH_URL)', postgresql: postgres };
  const parts = {
    events: postgres,
    ...Object.fromEntries(Object.entries(platform.readModels.backends).map(([name, backend]) => [name, where[backend]])),
    'fan-out': settings.kafka ? `Kafka topic ${settings.kafka.topic} (KAFKA_BROKERS)` : 'in-process',
  };
  const running = platform.background?.projectors().map((p) => p.checkpointKey).join(', ') || 'none';
  app.log.info({ address, role: settings.role, parts, projectors: running }, 'started');
  const summary = { ...parts, projectors: running };
  const width = Math.max(...Object.keys(summary).map((part) => part.length));
  console.log(
    [
      `\ninstagram-es (role ${settings.role}) listening on ${address}${servesHttp(settings.role) ? `  (API docs: ${address}/docs)` : ''}`,
      ...Object.entries(summary).map(([part, what]) => `  ${part.padEnd(width)} ${what}`),
      '',
    ].join('\n'),
  );
};

/** On SIGTERM or SIGINT: HTTP, then the platform, then the embedded PostgreSQL, and exit. */
const stopOnSignal = (app: FastifyInstance, platform: Platform, embedded: EmbeddedPostgresHandle | undefined) => {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    // Each step runs even when one before it failed (the bundled PostgreSQL must stop whatever
    // happened), and a failure is named in the log and the exit code.
    let failed = false;
    const step = async (name: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        failed = true;
        app.log.error({ err: error, step: name }, 'shutdown step failed');
      }
    };
    await step('http', () => app.close()); // stops accepting connections, lets in-flight requests finish
    await step('platform', () => platform.close()); // projectors finish their batch, then the pools close
    await step('embedded postgresql', async () => embedded?.stop());
    app.log.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
