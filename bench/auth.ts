import pg from 'pg';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { jsonClient, load, printTable, seedHomeFeed, startBenchServer, type BenchServer } from './support/bench-run.js';
import { httpFigures, printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Authentication's cost (npm run bench:auth): the authenticated home feed with the revocation
// check on (the in-process list of revoked sessions, holding REVOKED revocations), next to the same
// server with a plain JWT check (REVOCATION_CHECK=off), each run alone on the same seeded data;
// then refreshes per second (each of CONNECTIONS clients rotating its own session's refresh token).
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.DURATION ?? 10);
const REVOKED = Number(process.env.REVOKED ?? 10_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const scratch = await createScratchSchema('bench_auth');
const prefix = `bench_${randomBytes(4).toString('hex')}:`;
const env = { DATABASE_URL: scratch.url, REDIS_URL, REDIS_PREFIX: prefix, MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' };

/** The home feed at CONNECTIONS connections for DURATION_S, after a short warm-up. */
const homeFeed = async (address: string, token: string) => {
  const run = (duration: number) => load({ url: `${address}/api/v1/feed/home`, connections: CONNECTIONS, duration, headers: { authorization: `Bearer ${token}` } });
  await run(Math.min(3, DURATION_S));
  return run(DURATION_S);
};

/** Refreshes per second: each client rotates its own session, one refresh after the other. */
const refreshes = async (address: string) => {
  const api = jsonClient(address);
  const tokens = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => (await api('POST', '/api/v1/users/login', undefined, { username: 'reader', password: 'bench password' })).refreshToken as string),
  );
  let done = 0;
  let failed = 0;
  const until = Date.now() + DURATION_S * 1000;
  const started = Date.now();
  await Promise.all(
    tokens.map(async (first) => {
      let token = first;
      while (Date.now() < until) {
        const answer = await api('POST', '/api/v1/auth/refresh', undefined, { refreshToken: token });
        if (typeof answer.refreshToken !== 'string') {
          failed++;
          break;
        }
        token = answer.refreshToken;
        done++;
      }
    }),
  );
  return { requestsPerSecond: Math.round(done / ((Date.now() - started) / 1000)), failed };
};

let server: BenchServer | null = await startBenchServer(env);
try {
  const { readerToken } = await seedHomeFeed(server.address, { authors: 20, postsEach: 3 });
  // Revocations every process holds in memory (each announced, as a real one is).
  const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
  await pool.query(
    `with revoked as (
       insert into sessions (session_id, user_id, username, device, address, created_at, last_used_at, expires_at, revoked_at)
       select gen_random_uuid(), $1, 'bench', 'bench', '127.0.0.1', now(), now(), now() + interval '1 day', now() from generate_series(1, $2)
       returning session_id, user_id, revoked_at)
     select count(pg_notify('sessions.' || current_schema(), json_build_object('s', session_id, 'u', user_id, 't', revoked_at)::text)) from revoked`,
    [randomUUID(), REVOKED],
  );
  await pool.end();
  const checked = await homeFeed(server.address, readerToken);
  const refresh = await refreshes(server.address);
  await server.stop();
  server = null;
  server = await startBenchServer({ ...env, REVOCATION_CHECK: 'off' });
  const plain = await homeFeed(server.address, readerToken);

  printTable(`${CONNECTIONS} connections, ${DURATION_S}s each; ${REVOKED} revoked sessions held`, [
    ['home feed, plain JWT', plain],
    ['home feed, revocation on', checked],
  ]);
  const ratio = checked.requests.average / plain.requests.average;
  console.log(`revocation on / plain: ${ratio.toFixed(3)}; refresh: ${refresh.requestsPerSecond} req/s (${refresh.failed} failed)`);
  printFigures('auth', {
    connections: CONNECTIONS,
    durationSeconds: DURATION_S,
    revokedSessions: REVOKED,
    homeFeedRevocationOn: httpFigures(checked),
    baselinePlainJwt: httpFigures(plain),
    ratio,
    refresh,
  });
} finally {
  await server?.stop();
  await scratch.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
}
