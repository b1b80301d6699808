import { resolve } from 'node:path';
import { loadConfig, ConfigError } from './config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
import { resolveJwtSecret } from './jwt-secret.js';
import { createPlatform } from './platform.js';
import { buildServer } from './server.js';

// The entrypoint: configuration from the environment, embedded defaults for what is unset.
const main = async () => {
  const config = loadConfig();
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
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    celebrityThreshold: config.FEED_CELEBRITY_THRESHOLD,
  });
  const app = await buildServer({ commands: platform.commands, idempotency: platform.idempotency, reads: platform.reads, logger: { level: config.LOG_LEVEL } });
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  const postgres = embedded ? `embedded PostgreSQL (${dataDir}/postgres)` : 'PostgreSQL (DATABASE_URL)';
  const backends = { eventStore: postgres, ...Object.fromEntries(Object.entries(platform.readModels.backends).map(([name, kind]) => [name, kind === 'redis' ? 'Redis (REDIS_URL)' : postgres])) };
  app.log.info({ address, backends }, `listening on ${address}`);
  console.log(`\ninstagram-es listening on ${address}\n${Object.entries(backends).map(([part, where]) => `  ${part.padEnd(11)} ${where}`).join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close(); // stops accepting, finishes in-flight requests
    await platform.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
