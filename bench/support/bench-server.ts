import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { loadSettings } from '../../app/config.js';
import { createPlatform } from '../../app/platform.js';
import { connectRedis } from '../../app/redis-client.js';
import { buildServer } from '../../app/server.js';

// The real API (with its projectors), plus baseline routes that go through the same hooks
// (authentication, validation) but do the least a route can: a no-op POST (create-post's
// baseline), a bare ZREVRANGE of 20 ids from a feed in Redis (home feed's baseline), and one GET
// of a string the bench stored, answered as JSON as it is (the post page's and profile's baseline:
// a page served from one cached card, bench/support/page-bench.ts).
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const redisUrl = process.env.REDIS_URL;
// A Redis Cluster instead (bench/http-home-feed-cluster.ts); startBenchServer passes it only when a bench names it.
const redisClusterNodes = process.env.REDIS_CLUSTER_NODES ? process.env.REDIS_CLUSTER_NODES.split(',') : undefined;
const redisPrefix = process.env.REDIS_PREFIX ?? 'bench:';

// Rate limits off unless RATE_LIMITS=on (bench/rate-limit.ts), with RATE_LIMIT_<CLASS> as the
// environment gives them; MEDIA_EXTERNAL_HOSTS for benches that post media by URL; TRUST_PROXY for
// benches that send X-Forwarded-For (bench/login-flood.ts); DATABASE_*_POOL_SIZE to size the pools.
const passed = Object.entries(process.env).filter(
  ([name]) => name.startsWith('RATE_LIMIT') || name === 'MEDIA_EXTERNAL_HOSTS' || name === 'TRUST_PROXY' || /^DATABASE_(API|WORKER)_POOL_SIZE$/.test(name),
);
const defaults = loadSettings({ RATE_LIMITS: 'off', ...Object.fromEntries(passed) }, []);
const platform = await createPlatform({
  ...defaults,
  databaseUrl,
  jwtSecrets: ['bench-secret-that-is-at-least-32-characters-long'],
  redisUrl,
  redisClusterNodes,
  prefixes: { ...defaults.prefixes, redis: redisPrefix },
  // 'api' measures the API alone (projectors run elsewhere); 'all' shares the cores with them.
  role: process.env.ROLE === 'api' ? 'api' : 'all',
  // Verification mails of the accounts a bench makes stay in the mail_outbox table, off the bench's output.
}, { mailLog: () => undefined });
// REVOCATION_CHECK=off (bench/auth.ts's baseline): the plain JWT check, no revoked-session lookup.
const commands = process.env.REVOCATION_CHECK === 'off' ? { ...platform.commands, sessions: { ...platform.commands.sessions, isRevoked: () => false } } : platform.commands;
const app = await buildServer({ ...platform, commands, trustProxy: defaults.http.trustProxy });
app.post('/bench/noop', async () => ({ ok: true }));
const redis = connectRedis({ redisUrl, redisClusterNodes });
if (redis) {
  app.get('/bench/zrevrange', async (request) => ({
    items: await redis.zrevrange(`${redisPrefix}feed:{${request.actor?.userId}}`, 0, 19),
  }));
  app.get('/bench/get/:name', async (request, reply) => {
    const value = await redis.get(`${redisPrefix}bench:get:${(request.params as { name: string }).name}`);
    return reply.type('application/json').send(value ?? 'null');
  });
}
const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ address });
// Garbage collections so far, minor (scavenges of the young generation) and major, with the time
// they took (bench-run.ts gc).
const collections = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const minor = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
    collections[minor ? 'minor' : 'major']++;
    collections[minor ? 'minorMs' : 'majorMs'] += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
// The bench asks for the CPU time used so far (bench-run.ts cpuMicros), and the collections.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (message === 'gc') process.send?.({ gc: { ...collections } });
});
process.on('SIGTERM', async () => {
  await app.close();
  await platform.close();
  process.exit(0);
});
