import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { httpFigures, printFigures } from './support/report.js';
import { load, printTable, seedHomeFeed, startBenchServer } from './support/bench-run.js';
import { createScratchSchema } from './support/scratch-schema.js';

// What the rate limits cost: the home feed (20 hydrated items, 50 connections) from an API process
// with rate limiting off, then from one with it on (buckets in Redis, the read limit set high enough
// never to refuse, so that every request pays for a bucket and none is cut short). Budget: at most
// 10 % fewer requests per second.
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const AUTHORS = 20;
const POSTS_EACH = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const scratch = await createScratchSchema('bench_ratelimit');
const prefix = `bench_${randomBytes(4).toString('hex')}:`;
const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' };
try {
  // Seeded through the API (with its projectors), then measured on API-only processes.
  const seeder = await startBenchServer(env);
  let token = '';
  try {
    ({ readerToken: token } = await seedHomeFeed(seeder.address, { authors: AUTHORS, postsEach: POSTS_EACH }));
  } finally {
    await seeder.stop();
  }

  const measure = async (limits: Record<string, string>) => {
    const server = await startBenchServer({ ...env, ROLE: 'api', ...limits });
    try {
      const run = () =>
        load({ url: `${server.address}/api/v1/feed/home`, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${token}` } });
      await run(); // warm-up
      return await run();
    } finally {
      await server.stop();
    }
  };
  const off = await measure({ RATE_LIMITS: 'off' });
  const on = await measure({ RATE_LIMITS: 'on', RATE_LIMIT_READ: '1000000000/5m' });
  if (on.non2xx > 0) throw new Error(`${on.non2xx} answers were not 2xx with rate limits on`);
  const ratio = on.requests.average / off.requests.average;
  printTable(`${CONNECTIONS} connections, ${DURATION_S}s each; GET /api/v1/feed/home`, [
    ['rate limits off', off],
    ['rate limits on (Redis buckets)', on],
  ]);
  console.log(`on / off: ${ratio.toFixed(3)} (budget: at least 0.9)`);
  printFigures('ratelimit', { connections: CONNECTIONS, durationSeconds: DURATION_S, off: httpFigures(off), on: httpFigures(on), ratio });
} finally {
  await scratch.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
}
