import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { httpFigures, printFigures } from './support/report.js';
import { load, printTable, seedHomeFeed, startBenchServer } from './support/bench-run.js';
import { createScratchSchema } from './support/scratch-schema.js';

// What the rate limits cost: the home feed (20 hydrated items, 50 connections) from an API process
// with rate limiting off, next to one with it on (buckets in Redis, the read limit set high enough
// never to refuse, so that every request pays for a bucket and none is cut short). Budget: at most
// 10 % fewer requests per second. CONNECTIONS, DURATION (seconds per run), ROUNDS (alternating).
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
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

  // Both API processes stay up, and their runs alternate (off, on, off, on...), so that a change
  // in the machine's load during the bench falls on both sides alike; the figures are the medians.
  const servers = {
    off: await startBenchServer({ ...env, ROLE: 'api', RATE_LIMITS: 'off' }),
    on: await startBenchServer({ ...env, ROLE: 'api', RATE_LIMITS: 'on', RATE_LIMIT_READ: '1000000000/5m' }),
  };
  try {
    const run = (side: keyof typeof servers) =>
      load({ url: `${servers[side].address}/api/v1/feed/home`, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${token}` } });
    await run('off'); // warm-up
    await run('on');
    const rounds: { off: Awaited<ReturnType<typeof run>>; on: Awaited<ReturnType<typeof run>> }[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push({ off: await run('off'), on: await run('on') });
    const refused = rounds.reduce((sum, { on }) => sum + on.non2xx, 0);
    if (refused > 0) throw new Error(`${refused} answers were not 2xx with rate limits on`);
    const ratios = rounds.map(({ off, on }) => on.requests.average / off.requests.average);
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const medianRound = rounds[ratios.indexOf(middle(ratios))]!;
    const ratio = middle(ratios);
    printTable(`${CONNECTIONS} connections, ${DURATION_S}s each, ${ROUNDS} alternating rounds (the median round); GET /api/v1/feed/home`, [
      ['rate limits off', medianRound.off],
      ['rate limits on (Redis buckets)', medianRound.on],
    ]);
    console.log(`on / off per round: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${ratio.toFixed(3)} (budget: at least 0.9)`);
    printFigures('ratelimit', {
      connections: CONNECTIONS,
      durationSeconds: DURATION_S,
      rounds: ROUNDS,
      off: httpFigures(medianRound.off),
      on: httpFigures(medianRound.on),
      ratio,
      ratiosPerRound: ratios,
    });
  } finally {
    await Promise.all([servers.off.stop(), servers.on.stop()]);
  }
} finally {
  await scratch.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
}
