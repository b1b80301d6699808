import { httpFigures, printFigures } from './support/report.js';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { load, printTable, seedHomeFeed, startBenchServer, type GcTally } from './support/bench-run.js';
import { redisCpuMicros } from './support/redis-cpu.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Home feed, 20 hydrated items, at 50 connections, next to a same-run baseline: the same server
// answering a bare ZREVRANGE of 20 ids from the same feed in Redis. Seeded through the API: a
// reader following AUTHORS authors who post POSTS_EACH posts each. The ranked home feed
// (?order=ranked: every first page ranks all the candidates and pins them) runs in the same run, and
// so do its later pages (one pinned session's second page, read again and again: the pinned list's
// read and one page of hydration). The later pages run before the first pages, whose sessions
// would push the pinned one out (at most 5 per viewer).
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const AUTHORS = 20;
const POSTS_EACH = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const scratch = await createScratchSchema('bench_feed');
const prefix = `bench_${randomBytes(4).toString('hex')}:`;
const server = await startBenchServer({ DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' });
try {
  const { readerToken } = await seedHomeFeed(server.address, { authors: AUTHORS, postsEach: POSTS_EACH });

  // Each run with the server's CPU time per request over it (bench-run.ts cpuMicros): a figure the
  // other work of a shared machine moves far less than requests per second.
  const cpuPerRequest = new Map<object, number>();
  // And Redis's (INFO cpu): the home feed's script runs there, on the one thread every reader shares.
  const redisCpuPerRequest = new Map<object, number>();
  // And the server's garbage collections per 1,000 requests (counts: what a run allocates and keeps; milliseconds: the pauses).
  const gcPerThousand = new Map<object, GcTally>();
  const redis = new Redis(REDIS_URL);
  const run = async (path: string) => {
    const before = await server.cpuMicros();
    const redisBefore = await redisCpuMicros(redis);
    const gcBefore = await server.gc();
    const result = await load({ url: `${server.address}${path}`, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${readerToken}` } });
    const requests = Math.max(1, result.requests.total);
    cpuPerRequest.set(result, Math.round(((await server.cpuMicros()) - before) / requests));
    redisCpuPerRequest.set(result, Math.round(((await redisCpuMicros(redis)) - redisBefore) / requests));
    const gcAfter = await server.gc();
    const perThousand = (field: keyof GcTally) => Math.round(((gcAfter[field] - gcBefore[field]) * 1000 * 100) / requests) / 100;
    gcPerThousand.set(result, { minor: perThousand('minor'), minorMs: perThousand('minorMs'), major: perThousand('major'), majorMs: perThousand('majorMs') });
    return result;
  };
  await run('/bench/zrevrange'); // warm-up
  const baseline = await run('/bench/zrevrange');
  const home = await run('/api/v1/feed/home');
  const first = await fetch(`${server.address}/api/v1/feed/home?order=ranked`, { headers: { authorization: `Bearer ${readerToken}` } });
  const { nextCursor } = (await first.json()) as { nextCursor: string | null };
  if (!nextCursor) throw new Error('the ranked first page has no next page: seed more posts');
  const later = await run(`/api/v1/feed/home?order=ranked&cursor=${encodeURIComponent(nextCursor)}`);
  const ranked = await run('/api/v1/feed/home?order=ranked');
  printTable(`${CONNECTIONS} connections, ${DURATION_S}s each; feed of ${AUTHORS * POSTS_EACH} posts`, [
    ['bare ZREVRANGE 20 (baseline)', baseline],
    ['GET /api/v1/feed/home', home],
    ['GET /api/v1/feed/home?order=ranked (first pages)', ranked],
    ['GET /api/v1/feed/home?order=ranked (a later page)', later],
  ]);
  console.log(`home feed / baseline: ${(home.requests.average / baseline.requests.average).toFixed(3)}`);
  const cpu = { baseline: cpuPerRequest.get(baseline)!, homeFeed: cpuPerRequest.get(home)!, rankedHomeFeed: cpuPerRequest.get(ranked)!, rankedLaterPages: cpuPerRequest.get(later)! };
  console.log(`server CPU per request (µs): bare ZREVRANGE ${cpu.baseline}, home feed ${cpu.homeFeed}, ranked first pages ${cpu.rankedHomeFeed}, ranked later pages ${cpu.rankedLaterPages}`);
  const redisCpu = { baseline: redisCpuPerRequest.get(baseline)!, homeFeed: redisCpuPerRequest.get(home)!, rankedHomeFeed: redisCpuPerRequest.get(ranked)!, rankedLaterPages: redisCpuPerRequest.get(later)! };
  console.log(`Redis CPU per request (µs): bare ZREVRANGE ${redisCpu.baseline}, home feed ${redisCpu.homeFeed}, ranked first pages ${redisCpu.rankedHomeFeed}, ranked later pages ${redisCpu.rankedLaterPages}`);
  const gc = { baseline: gcPerThousand.get(baseline)!, homeFeed: gcPerThousand.get(home)! };
  const gcLine = (t: GcTally) => `${t.minor} minor (${t.minorMs} ms), ${t.major} major (${t.majorMs} ms)`;
  console.log(`server GC per 1,000 requests: bare ZREVRANGE ${gcLine(gc.baseline)}; home feed ${gcLine(gc.homeFeed)}`);
  redis.disconnect();
  console.log(`ranked / chronological: ${(ranked.requests.average / home.requests.average).toFixed(3)} first pages, ${(later.requests.average / home.requests.average).toFixed(3)} later pages`);
  printFigures('feed', {
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    homeFeed: httpFigures(home),
    rankedHomeFeed: httpFigures(ranked),
    rankedLaterPages: httpFigures(later),
    baseline: httpFigures(baseline),
    ratio: home.requests.average / baseline.requests.average,
    rankedRatio: ranked.requests.average / home.requests.average,
    rankedLaterPagesRatio: later.requests.average / home.requests.average,
    cpuMicrosPerRequest: cpu,
    redisCpuMicrosPerRequest: redisCpu,
    gcPerThousandRequests: gc,
  });
} finally {
  await server.stop();
  await scratch.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
}
