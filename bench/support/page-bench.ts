import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import { httpFigures, printFigures } from './report.js';
import { jsonClient, load, printTable, startBenchServer } from './bench-run.js';
import { createScratchSchema } from './scratch-schema.js';

// The single-entity read benches (bench/http-post-page.ts, bench/http-profile.ts): one route, viewed
// by a follower of its author, against a same-run ceiling, the same server answering the same JSON
// from one Redis GET (bench-server.ts /bench/get/:name: what a read served from a cached card in
// Redis would cost at best). Both run on one API-only process (ROLE=api; seeded first through a
// process with the projectors), in alternating rounds (baseline, route, baseline, route...) so that
// a change in the machine's load falls on both alike; the figures are the median round's.
// CONNECTIONS, DURATION (seconds per run), ROUNDS.
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const COMMENTERS = 5;

export interface SeededPost {
  readerToken: string;
  authorUsername: string;
  postId: string;
}

/**
 * A public author with one post (media on cdn.example.com) that COMMENTERS users each comment on
 * and like, and a reader following the author, seeded through the API; resolves once the profiles
 * read model shows every comment and like.
 */
export const seedPost = async (address: string): Promise<SeededPost> => {
  const api = jsonClient(address);
  const register = (name: string) =>
    api('POST', '/api/v1/users/register', undefined, { username: name, email: `${name}@example.com`, password: 'bench password' });
  const author = await register('author');
  const reader = await register('reader');
  await api('POST', '/api/v1/users/author/follow', reader.accessToken);
  const media = [{ url: 'https://cdn.example.com/post.jpg', type: 'image' }];
  const { postId } = await api('POST', '/api/v1/posts', author.accessToken, { caption: 'a post #bench with @reader', media });
  let position = '';
  for (let c = 0; c < COMMENTERS; c++) {
    const commenter = await register(`commenter${c}`);
    await api('POST', `/api/v1/posts/${postId}/comments`, commenter.accessToken, { text: `comment ${c}` });
    ({ position } = await api('POST', `/api/v1/posts/${postId}/like`, commenter.accessToken));
  }
  // A read with ?minPosition= waits 2 s at most for the projections; on a busy machine, ask again.
  let post: { likeCount?: number; commentCount?: number } = {};
  for (let attempt = 0; attempt < 30 && (post.likeCount !== COMMENTERS || post.commentCount !== COMMENTERS); attempt++) {
    post = await api('GET', `/api/v1/posts/${postId}?minPosition=${encodeURIComponent(position)}`, reader.accessToken);
  }
  if (post.likeCount !== COMMENTERS || post.commentCount !== COMMENTERS) throw new Error(`post not projected: ${JSON.stringify(post).slice(0, 200)}`);
  return { readerToken: reader.accessToken as string, authorUsername: 'author', postId: postId as string };
};

export interface PageBench {
  /** The bench's name in its JSON line ("post-page"), also the baseline's Redis key. */
  bench: string;
  /** The JSON key of the route's figures ("postPage"). */
  key: string;
  /** The path to read, given what was seeded. */
  path: (seeded: SeededPost) => string;
  label: string;
}

type Result = autocannon.Result;

export const runPageBench = async ({ bench, key, path, label }: PageBench): Promise<void> => {
  const scratch = await createScratchSchema(`bench_${bench.replace(/-/g, '_')}`);
  const prefix = `bench_${randomBytes(4).toString('hex')}:`;
  const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' };
  const redis = new Redis(REDIS_URL);
  try {
    const seeder = await startBenchServer(env);
    let seeded: SeededPost;
    try {
      seeded = await seedPost(seeder.address);
    } finally {
      await seeder.stop();
    }
    const server = await startBenchServer({ ...env, ROLE: 'api' });
    try {
      const routePath = path(seeded);
      // The baseline answers the route's own JSON, byte for byte, from one GET.
      const answer = await fetch(`${server.address}${routePath}`, { headers: { authorization: `Bearer ${seeded.readerToken}` } });
      if (answer.status !== 200) throw new Error(`${routePath} answered ${answer.status}: ${await answer.text()}`);
      await redis.set(`${prefix}bench:get:${bench}`, await answer.text());

      const run = (url: string): Promise<Result> =>
        load({ url: `${server.address}${url}`, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${seeded.readerToken}` } });
      const sides = { baseline: () => run(`/bench/get/${bench}`), page: () => run(routePath) };
      await sides.baseline(); // warm-up
      await sides.page();
      const rounds: { baseline: Result; page: Result }[] = [];
      for (let round = 0; round < ROUNDS; round++) rounds.push({ baseline: await sides.baseline(), page: await sides.page() });
      const failed = rounds.reduce((sum, r) => sum + r.baseline.non2xx + r.page.non2xx + r.baseline.errors + r.page.errors, 0);
      if (failed > 0) throw new Error(`${failed} answers were not 2xx`);

      const ratios = rounds.map((r) => r.page.requests.average / r.baseline.requests.average);
      const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
      const medianRound = rounds[ratios.indexOf(median)]!;
      printTable(`${CONNECTIONS} connections, ${DURATION_S}s each, ${ROUNDS} alternating rounds (the median round)`, [
        ['one Redis GET (baseline)', medianRound.baseline],
        [label, medianRound.page],
      ]);
      console.log(`${label} / baseline per round: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${median.toFixed(3)} (budget: at least 0.5, p99 at most 10 ms)`);
      printFigures(bench, {
        connections: CONNECTIONS,
        durationSeconds: DURATION_S,
        [key]: httpFigures(medianRound.page),
        baseline: httpFigures(medianRound.baseline),
        ratio: median,
        rounds: rounds.map((r, i) => ({ [key]: httpFigures(r.page), baseline: httpFigures(r.baseline), ratio: ratios[i] })),
      });
    } finally {
      await server.stop();
    }
  } finally {
    await scratch.drop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  }
};
