// Suggestions and mutual followers (issue 17 part 8) on the demo graph scaled to 100,000 accounts:
// scripts/demo-data.ts's shape (each account follows 5 to 30 others, chosen with weight 1 / rank^1.2,
// so a few accounts gather most follows; one in ten private), written straight into a profiles
// read model's tables. Measured at the reader (projections/profiles/reader-suggestions.ts), the
// SQL the routes run, CONCURRENCY callers at a time, each a random account:
// - `suggestedUsers` (GET /api/v1/suggestions/users, 20 items) and `mutualFollowers` (a profile's
//   "followed by", for a random account the caller's follows follow);
// - baseline in the same run: a page of 20 of the caller's follows (GET /users/{u}/following), one
//   index range read.
//   npx tsx bench/suggestions.ts    (DATABASE_URL, else the local test database; ACCOUNTS, QUERIES to change the size)
// Works in a scratch schema, removed at the end.
import pg from 'pg';
import { PROFILES_SCHEMA } from '../projections/profiles/schema.js';
import { setUpPostgresSchema } from '../projections/runtime/build-schema.js';
import { createProfilesReader } from '../projections/profiles/profiles-reader.js';
import { seededRandom } from '../scripts/seeded-random.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 2_000);
const CONCURRENCY = 8;

const scratch = await createScratchSchema('bench_suggestions');
const pool = new pg.Pool({ connectionString: scratch.url, max: CONCURRENCY + 2 });
try {
  await setUpPostgresSchema(pool, PROFILES_SCHEMA, 'live');
  const started = Date.now();
  // Account i's id is a uuid made of i, so that the graph is generated in SQL, in bulk.
  const idOf = (column: string) => `('0190a000-0000-7000-8000-' || lpad(to_hex(${column}), 12, '0'))::uuid`;
  await pool.query(
    `insert into users (id, username, registered_at, display_name, private)
     select ${idOf('i')}, 'user' || i, now(), 'User ' || i, i % 10 = 9 from generate_series(1, $1) i`,
    [ACCOUNTS],
  );
  // Rank r with weight r^-1.2: the inverse of its continuous CDF, (1 - u (1 - N^-0.2))^-5.
  await pool.query(
    `insert into follows (follower_id, followee_id, status, rev, followed_at)
     select distinct on (f, t) ${idOf('f')}, ${idOf('t')}, 'following', 0, now() - (random() * interval '365 days')
     from (
       select f, least($1, greatest(1, floor(power(1 - random() * (1 - power($1::float, -0.2)), -5))))::int as t
       from generate_series(1, $1) f cross join lateral generate_series(1, 5 + (f * 7919) % 26) k
     ) pairs where f <> t
     on conflict do nothing`,
    [ACCOUNTS],
  );
  await pool.query(`update users u set follower_count = c.n from (select followee_id, count(*)::int as n from follows group by followee_id) c where u.id = c.followee_id`);
  await pool.query(`update users u set following_count = c.n from (select follower_id, count(*)::int as n from follows group by follower_id) c where u.id = c.follower_id`);
  await pool.query('analyze');
  const follows = Number((await pool.query('select count(*) as n from follows')).rows[0].n);
  console.log(`graph: ${ACCOUNTS} accounts, ${follows} follows, in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const reader = createProfilesReader(pool);
  const { random } = seededRandom(0x5ec0);
  const anyAccount = () => `0190a000-0000-7000-8000-${(1 + Math.floor(random() * ACCOUNTS)).toString(16).padStart(12, '0')}`;

  const measure = async (name: string, query: (viewerId: string) => Promise<unknown>) => {
    const latencies: number[] = [];
    let next = 0;
    for (let i = 0; i < 50; i++) await query(anyAccount()); // warm up: plans and pages
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < QUERIES) {
          const viewer = anyAccount();
          const at = performance.now();
          await query(viewer);
          latencies.push(performance.now() - at);
        }
      }),
    );
    const seconds = (performance.now() - begin) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(2));
    const row = { name, queriesPerSecond: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
    console.log(`${name.padEnd(28)} ${String(row.queriesPerSecond).padStart(6)}/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms`);
    return row;
  };

  const baseline = await measure('following page (baseline)', (viewer) => reader.following(viewer, { limit: 20 }));
  const suggestions = await measure('suggestedUsers (20)', (viewer) => reader.suggestedUsers(viewer, 20));
  // Profiles with a "followed by" line to show: an account that one of the viewer's follows follows
  // (picked before the timing, which covers mutualFollowers alone).
  const pairs = new Map<string, string>();
  while (pairs.size < 500) {
    const viewer = anyAccount();
    const followed = (await reader.following(viewer, { limit: 1 })).items[0];
    const target = followed && (await reader.following(followed.id, { limit: 1 })).items[0];
    if (target && target.id !== viewer) pairs.set(viewer, target.id);
  }
  const viewers = [...pairs.keys()];
  const mutuals = await measure('mutualFollowers', (_) => {
    const viewer = viewers[Math.floor(random() * viewers.length)]!;
    return reader.mutualFollowers(viewer, pairs.get(viewer)!);
  });
  printFigures('suggestions', { accounts: ACCOUNTS, follows, concurrency: CONCURRENCY, rows: [suggestions, mutuals], baseline });
} finally {
  await pool.end();
  await scratch.drop();
}
