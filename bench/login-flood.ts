import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { printFigures } from './support/report.js';
import { startBenchServer } from './support/bench-run.js';
import { createScratchSchema } from './support/scratch-schema.js';

// What a wrong-password flood does to legitimate logins (issue 13, review F3): legitimate users log
// in (right password, each from an address of its own) for DURATION seconds, first alone, then
// while FLOOD_CONNECTIONS connections send wrong passwords as fast as the server answers, from
// FLOOD_ADDRESSES other addresses (X-Forwarded-For, TRUST_PROXY on), half against existing
// usernames (VICTIMS accounts that are not the legitimate users) and half against unknown ones.
// One API process (role all, the default limits on; buckets in PostgreSQL as on the embedded
// defaults, in Redis when REDIS_URL is set). Reported: the legitimate logins/s, p50/p99 and success
// rate with and without the flood; how the flood was answered (429 by the rate limits, 429 by
// password hashing to a suspect of a recent failed login, 401 wrong password, 503 password hashing
// busy); and a /health probe's latency every PROBE_MS, which shows whether the bounded password
// hashing keeps the event loop free.
const DURATION_S = Number(process.env.DURATION ?? 20);
const LEGIT_USERS = Number(process.env.LEGIT_USERS ?? 300);
const LEGIT_CONNECTIONS = Number(process.env.LEGIT_CONNECTIONS ?? 8);
const FLOOD_CONNECTIONS = Number(process.env.FLOOD_CONNECTIONS ?? 100);
const FLOOD_ADDRESSES = Number(process.env.FLOOD_ADDRESSES ?? 100);
const VICTIMS = Number(process.env.VICTIMS ?? 50);
const PROBE_MS = Number(process.env.PROBE_MS ?? 100);
const PASSWORD = 'bench password';

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return null;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const shares = (counts: Record<string, number>) => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(counts).map(([what, count]) => [what, total ? Number((count / total).toFixed(3)) : 0]));
};

// Legitimate user i logs in from 10.1.x.y; the flood comes from 172.16.x.y: apart, as the bench means.
const legitAddress = (i: number) => `10.1.${Math.floor(i / 256)}.${i % 256}`;
const floodAddress = (i: number) => `172.16.${Math.floor(i / 256) % 256}.${i % 256}`;
const legitName = (i: number) => `user${i}`;
const victimName = (i: number) => `victim${i}`;

const REDIS_URL = process.env.REDIS_URL;
const redisPrefix = `bench_${randomBytes(4).toString('hex')}:`;
const scratch = await createScratchSchema('bench_login_flood');
try {
  const server = await startBenchServer({ DATABASE_URL: scratch.url, RATE_LIMITS: 'on', TRUST_PROXY: 'true', REDIS_PREFIX: redisPrefix });
  try {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    // Accounts registered from loopback (exempt from the per-address limits), a few at a time:
    // password hashing answers 503 past its queue, and such a registration goes again.
    const register = async (username: string) => {
      for (;;) {
        const response = await post('/api/v1/users/register', { username, email: `${username}@example.com`, password: PASSWORD });
        if (response.status === 201 || response.status === 409) return;
        if (response.status !== 503) throw new Error(`register ${username}: ${response.status} ${await response.text()}`);
        await sleep(100);
      }
    };
    const names = [...Array.from({ length: LEGIT_USERS }, (_, i) => legitName(i)), ...Array.from({ length: VICTIMS }, (_, i) => victimName(i))];
    for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map(register));

    // Legitimate logins: LEGIT_CONNECTIONS loops, each taking the next user in turn (so that no
    // user's bucket, per account or per address, comes near its limit from these alone). A user
    // who logged in already (in the first phase, from the same address) is a returning one, whom
    // password hashing trusts (commands/accounts/hashing-admission.ts): the flood phase reports
    // returning and first-time users apart (all of them are first-time users in a run too short,
    // or a machine too slow, for the first phase to reach every user).
    const loggedIn = new Set<number>();
    const kindFigures = ({ attempts, succeeded }: { attempts: number; succeeded: number }) => ({
      attempts,
      successRate: attempts ? Number((succeeded / attempts).toFixed(3)) : null,
    });
    const legitimate = async (until: number) => {
      let next = 0;
      const byKind = { returning: { attempts: 0, succeeded: 0 }, firstTime: { attempts: 0, succeeded: 0 } };
      let servedInTime = 0;
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      const loop = async () => {
        while (Date.now() < until) {
          const i = next++ % LEGIT_USERS;
          const kind = loggedIn.has(i) ? byKind.returning : byKind.firstTime;
          const started = performance.now();
          const response = await post('/api/v1/users/login', { username: legitName(i), password: PASSWORD }, { 'x-forwarded-for': legitAddress(i) });
          await response.arrayBuffer();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          kind.attempts += 1;
          if (response.status !== 200) continue;
          kind.succeeded += 1;
          loggedIn.add(i);
          latencies.push(performance.now() - started);
          // The rate counts logins answered within the run; the latencies also those answered after it.
          if (Date.now() <= until) servedInTime += 1;
        }
      };
      await Promise.all(Array.from({ length: LEGIT_CONNECTIONS }, loop));
      const attempts = Object.values(statuses).reduce((a, b) => a + b, 0);
      return {
        loginsPerSecond: Number((servedInTime / DURATION_S).toFixed(1)),
        p50Ms: Math.round(percentile(latencies, 50) ?? 0),
        p99Ms: Math.round(percentile(latencies, 99) ?? 0),
        attempts,
        successRate: attempts ? Number((latencies.length / attempts).toFixed(3)) : 0,
        statuses,
        returning: kindFigures(byKind.returning),
        firstTime: kindFigures(byKind.firstTime),
      };
    };

    // /health (operations route: not limited, no hashing) every PROBE_MS: its latency is the event loop's.
    const probe = async (until: number) => {
      const latencies: number[] = [];
      while (Date.now() < until) {
        const started = performance.now();
        await (await fetch(`${server.address}/health`)).arrayBuffer();
        latencies.push(performance.now() - started);
        await sleep(PROBE_MS);
      }
      return { p50Ms: Math.round(percentile(latencies, 50)!), p99Ms: Math.round(percentile(latencies, 99)!), maxMs: Math.round(Math.max(...latencies)), probes: latencies.length };
    };

    // The flood: wrong passwords, each request from the next flood address, for an existing
    // (victim) or an unknown username in turn.
    let floodRequest = 0;
    const floodAnswers = { rateLimited429: 0, suspectRefused429: 0, wrongPassword401: 0, hashingBusy503: 0, other: 0 };
    const flood = () =>
      autocannon({
        url: `${server.address}/api/v1/users/login`,
        connections: FLOOD_CONNECTIONS,
        duration: DURATION_S,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const n = floodRequest++;
              const username = n % 2 === 0 ? victimName((n / 2) % VICTIMS) : `unknown${n}`;
              return {
                ...request,
                headers: { 'content-type': 'application/json', 'x-forwarded-for': floodAddress(n % FLOOD_ADDRESSES) },
                body: JSON.stringify({ username, password: `guess ${n}` }),
              };
            },
            onResponse: (status, body) => {
              // A 429 of password hashing names it (commands/accounts/password.ts); the rate limits' do not.
              if (status === 429 && body.includes('password-hashing')) floodAnswers.suspectRefused429 += 1;
              else if (status === 429) floodAnswers.rateLimited429 += 1;
              else if (status === 401) floodAnswers.wrongPassword401 += 1;
              else if (status === 503 && body.includes('password-hashing')) floodAnswers.hashingBusy503 += 1;
              else floodAnswers.other += 1;
            },
          },
        ],
      });

    const phase = async (withFlood: boolean) => {
      const until = Date.now() + DURATION_S * 1000;
      const flooding = withFlood ? flood() : null;
      const [legit, health] = await Promise.all([legitimate(until), probe(until)]);
      const floodResult = await flooding;
      return { legit, health, flood: floodResult ? { requestsPerSecond: Math.round(floodResult.requests.average), answers: { ...floodAnswers }, shares: shares(floodAnswers) } : null };
    };

    const withoutFlood = await phase(false);
    const withFlood = await phase(true);
    const ratio = withoutFlood.legit.loginsPerSecond ? Number((withFlood.legit.loginsPerSecond / withoutFlood.legit.loginsPerSecond).toFixed(3)) : 0;

    console.log(`\nlegitimate logins, ${LEGIT_CONNECTIONS} connections over ${LEGIT_USERS} users, ${DURATION_S}s each; flood: ${FLOOD_CONNECTIONS} connections from ${FLOOD_ADDRESSES} addresses`);
    console.log(`${'run'.padEnd(16)} ${'logins/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'success'.padStart(8)}  /health p50/p99/max ms`);
    for (const [name, run] of [['without flood', withoutFlood], ['with flood', withFlood]] as const) {
      const { legit, health } = run;
      console.log(
        `${name.padEnd(16)} ${String(legit.loginsPerSecond).padStart(8)} ${String(legit.p50Ms).padStart(7)} ${String(legit.p99Ms).padStart(7)} ${legit.successRate.toFixed(3).padStart(8)}  ${health.p50Ms}/${health.p99Ms}/${health.maxMs}`,
      );
    }
    console.log(`legitimate answers with the flood: ${JSON.stringify(withFlood.legit.statuses)}; returning users ${JSON.stringify(withFlood.legit.returning)}, first-time ${JSON.stringify(withFlood.legit.firstTime)}`);
    console.log(`flood: ${withFlood.flood!.requestsPerSecond} req/s, answered ${JSON.stringify(withFlood.flood!.answers)}`);
    console.log(`with / without flood (legitimate logins/s): ${ratio}`);
    printFigures('login-flood', {
      durationSeconds: DURATION_S,
      legitConnections: LEGIT_CONNECTIONS,
      legitUsers: LEGIT_USERS,
      floodConnections: FLOOD_CONNECTIONS,
      floodAddresses: FLOOD_ADDRESSES,
      buckets: REDIS_URL ? 'redis' : 'postgresql',
      withFlood: { ...withFlood.legit, health: withFlood.health },
      withoutFlood: { ...withoutFlood.legit, health: withoutFlood.health },
      ratio,
      successRates: { withFlood: withFlood.legit.successRate, withoutFlood: withoutFlood.legit.successRate },
      flood: withFlood.flood,
    });
  } finally {
    await server.stop();
  }
} finally {
  await scratch.drop();
  if (REDIS_URL) {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  }
}
