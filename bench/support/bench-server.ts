import { createPlatform } from '../../app/platform.js';
import { buildServer } from '../../app/server.js';

// The real API, plus a no-op POST route that goes through the same hooks (authentication, body
// parsing, validation) but appends nothing: the same-run baseline of the HTTP benchmarks.
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');

const platform = await createPlatform({
  databaseUrl,
  jwtSecret: 'bench-secret-that-is-at-least-32-characters-long',
  storyTtlMs: 24 * 3600_000,
  ...(process.env.POOL_SIZE ? { poolSize: Number(process.env.POOL_SIZE) } : {}),
});
const app = await buildServer({ commands: platform.commands, idempotency: platform.idempotency, reads: platform.reads });
app.post('/bench/noop', async () => ({ ok: true }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ address });
process.on('SIGTERM', async () => {
  await app.close();
  await platform.close();
  process.exit(0);
});
