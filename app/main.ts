import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createPlatform } from './platform.js';
import { withServiceUrls } from './service-urls.js';
import { servesHttp } from './roles.js';
import { buildServer } from './server.js';

// The entrypoint: configuration from the environment, embedded defaults for what is unset, the
// role's parts started, and a graceful stop on SIGTERM/SIGINT.
const main = async () => {
  // The servers `npm run services:up` wrote to ./.services/urls.env fill in what the environment leaves unset.
  const config = loadConfig(withServiceUrls(process.env, process.cwd()));
  const dataDir = resolve(config.DATA_DIR);
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: `${dataDir}/postgres`, persistent: true, port: 54329 });
    databaseUrl = embedded.url;
  }
  const platform = await createPlatform({
    databaseUrl,
    jwtSecret: await resolveJwtSecret(config.JWT_SECRET, dataDir),
    storyTtlMs: config.STORY_TTL,
    notificationWindowMs: config.NOTIFICATION_GROUP_WINDOW,
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    ...(config.ELASTICSEARCH_URL ? { elasticsearchUrl: config.ELASTICSEARCH_URL } : {}),
    celebrityThreshold: config.FEED_CELEBRITY_THRESHOLD,
    fanOutChunkSize: config.FANOUT_CHUNK_SIZE,
    ...(config.KAFKA_BROKERS
      ? {
          kafka: {
            brokers: config.KAFKA_BROKERS,
            topic: config.KAFKA_FANOUT_TOPIC,
            partitions: config.KAFKA_TOPIC_PARTITIONS,
            replicationFactor: config.KAFKA_REPLICATION_FACTOR,
            sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT,
          },
        }
      : {}),
    role: config.ROLE,
    ...(config.PROJECTIONS?.length ? { projectionNames: config.PROJECTIONS } : {}),
  });
  // Every role answers /health, /ready and /metrics; only api and all serve the API itself.
  const app = await buildServer({ ...platform, operationsOnly: !servesHttp(config.ROLE), logger: { level: config.LOG_LEVEL } });
  const address = await app.listen({ port: config.PORT, host: config.HOST });

  const postgres = embedded ? `embedded PostgreSQL (${dataDir}/postgres)` : 'PostgreSQL (DATABASE_URL)';
  const parts = {
    events: postgres,
    ...Object.fromEntries(Object.entries(platform.readModels.backends).map(([name, kind]) => [name, kind === 'redis' ? 'Redis (REDIS_URL)' : kind === 'elasticsearch' ? 'Elasticsearch (ELASTICSEARCH_URL)' : postgres])),
    'fan-out': config.KAFKA_BROKERS ? `Kafka topic ${config.KAFKA_FANOUT_TOPIC} (KAFKA_BROKERS)` : 'in-process',
  };
  const running = platform.background?.projectors().map((p) => p.checkpointKey).join(', ') || 'none';
  app.log.info({ address, role: config.ROLE, parts, projectors: running }, 'started');
  const summary = { ...parts, projectors: running };
  const width = Math.max(...Object.keys(summary).map((part) => part.length));
  console.log(
    [
      `\ninstagram-es (role ${config.ROLE}) listening on ${address}${servesHttp(config.ROLE) ? `  (API docs: ${address}/docs)` : ''}`,
      ...Object.entries(summary).map(([part, what]) => `  ${part.padEnd(width)} ${what}`),
      '',
    ].join('\n'),
  );

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
