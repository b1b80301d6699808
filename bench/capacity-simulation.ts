// Capacity simulation (issue 19): checks docs/capacity.md's closed formulas for fan-out volume and
// feed memory by walking a generated follow graph, and sweeps the celebrity threshold to show its
// cost curve.
// - The graph: ACCOUNTS accounts (1,000,000), each with a follower count drawn from a Pareto law
//   (tail exponent FOLLOWER_ALPHA, 1.2) whose mean is FOLLOWS_PER_ACCOUNT (200), capped at the
//   other accounts; each account posts at a rate drawn from an exponential law whose mean is the
//   seeds' 50M uploads a day over 1B accounts. Followers are distinct accounts, chosen by a
//   seeded random stride over the accounts (SIM_SEED).
// - The walk: every follow edge, once. Per threshold (THRESHOLDS, comma-separated), the fan-out
//   inserts a day (an author below the threshold pushes each post to each follower), the fan-out
//   jobs (chunks of FANOUT_CHUNK_SIZE followers), each reader's pushed inflow and the celebrities
//   they follow; then each feed's entries, min(FEED_CAP, days x inflow) for feeds FEED_HORIZON_DAYS old (7,30,120,365), times the
//   measured bytes per entry.
// - The baseline, in the same run: the closed formulas of bench/support/capacity-model.ts for the
//   same graph size and law; the JSON holds both and their ratio.
// Also prints the model at the seeds' scale (500M DAU, 1B accounts), which docs/capacity.md shows.
// Typed arrays throughout: 1M accounts and 200M follows take about 60 MB and well under a minute.
//   npm run bench:capacity   (CAPACITY_LOG_SCHEMA=bench_log_200k also measures the log's bytes per
//   event on that kept replay log, with DATABASE_URL, else the local test database)
import pg from 'pg';
import { seededRandom } from '../scripts/seeded-random.js';
import {
  ASSUMPTIONS,
  bytesPerEventQuery,
  celebritiesFollowedPerReader,
  celebrityShare,
  fanOutJobsPerDayBound,
  fanOutWritesPerDay,
  feedMemoryBytes,
  feedMemoryCeilingBytes,
  feedRoles,
  followerLaw,
  logGrowth,
  MEASURED,
  meanFollowers,
  pulledPostsPerRead,
  routeLoads,
  searchRole,
  SEEDS,
  type FeedInputs,
} from './support/capacity-model.js';
import { printFigures } from './support/report.js';

const numberFrom = (name: string, fallback: number, valid: (n: number) => boolean): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!valid(value)) throw new Error(`${name}=${raw} is not a valid value`);
  return value;
};

const ACCOUNTS = numberFrom('ACCOUNTS', 1_000_000, (n) => Number.isInteger(n) && n >= 1_000 && n <= 20_000_000);
const MEAN_FOLLOWS = numberFrom('FOLLOWS_PER_ACCOUNT', ASSUMPTIONS.meanFollowsPerAccount.value, (n) => n >= 1 && n < ACCOUNTS / 2);
const ALPHA = numberFrom('FOLLOWER_ALPHA', ASSUMPTIONS.followerTailExponent.value, (n) => n > 1 && n < 5);
const SEED = numberFrom('SIM_SEED', 0x19c4, Number.isInteger);
// Feeds' age in days: the seeds' 7-day TTL, a month, and a year (the code's feeds never expire).
const HORIZONS = (process.env.FEED_HORIZON_DAYS ?? `7,30,120,${ASSUMPTIONS.feedHorizonDays.value}`).split(',').map((d) => Number(d.trim()));
if (HORIZONS.some((d) => !(d > 0))) throw new Error(`FEED_HORIZON_DAYS=${process.env.FEED_HORIZON_DAYS} must be positive numbers of days`);
const CHUNK_SIZE = numberFrom('FANOUT_CHUNK_SIZE', 1_000, (n) => Number.isInteger(n) && n >= 1);
const THRESHOLDS = (process.env.THRESHOLDS ?? '1000,5000,10000,50000,100000,1000000')
  .split(',')
  .map((t) => Number(t.trim()))
  .sort((a, b) => a - b);
if (THRESHOLDS.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`THRESHOLDS=${process.env.THRESHOLDS} must be whole numbers of followers`);
const FEED_CAP = SEEDS.feedCap.value;
const BYTES_PER_ENTRY = MEASURED.bytesPerFeedEntry.value;
const POSTS_PER_ACCOUNT_PER_DAY = SEEDS.uploadsPerDay.value / SEEDS.accounts.value;
const DAY = 86_400;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The graph: followers and posting rate per account. */
const generateAccounts = (random: () => number, law: ReturnType<typeof followerLaw>) => {
  const followers = new Uint32Array(ACCOUNTS);
  const postsPerDay = new Float64Array(ACCOUNTS);
  for (let a = 0; a < ACCOUNTS; a++) {
    // 1 - random() is in (0, 1]: never an infinite draw.
    followers[a] = Math.min(law.max, Math.round(law.xmin * (1 - random()) ** (-1 / law.alpha)));
    postsPerDay[a] = -Math.log(1 - random()) * POSTS_PER_ACCOUNT_PER_DAY;
  }
  return { followers, postsPerDay };
};

/** Band of an author: how many thresholds it is at or above (0: pushed at every threshold). */
const bandOf = (followers: number): number => {
  let band = 0;
  while (band < THRESHOLDS.length && followers >= THRESHOLDS[band]!) band++;
  return band;
};

const walk = (random: () => number, followers: Uint32Array, postsPerDay: Float64Array) => {
  const bands = THRESHOLDS.length + 1;
  // Per band and reader: posts a day from the band's authors, and how many of them the reader follows.
  const inflow = new Float32Array(bands * ACCOUNTS);
  const followed = new Uint16Array(bands * ACCOUNTS);
  const writesByBand = new Float64Array(bands);
  const jobsByBand = new Float64Array(bands);
  const authorsByBand = new Float64Array(bands);
  let edges = 0;
  for (let author = 0; author < ACCOUNTS; author++) {
    const count = followers[author]!;
    if (count === 0) continue;
    const band = bandOf(count);
    const rate = postsPerDay[author]!;
    writesByBand[band] = writesByBand[band]! + rate * count;
    jobsByBand[band] = jobsByBand[band]! + rate * Math.ceil(count / CHUNK_SIZE);
    authorsByBand[band] = authorsByBand[band]! + 1;
    // A stride coprime with the accounts visits every account once: `count` distinct readers, never the author.
    let stride = 1 + Math.floor(random() * (ACCOUNTS - 1));
    while (gcd(stride, ACCOUNTS) !== 1) stride = 1 + Math.floor(random() * (ACCOUNTS - 1));
    let reader = Math.floor(random() * ACCOUNTS);
    const base = band * ACCOUNTS;
    for (let taken = 0; taken < count; ) {
      reader += stride;
      if (reader >= ACCOUNTS) reader -= ACCOUNTS;
      if (reader === author) continue;
      inflow[base + reader] = inflow[base + reader]! + rate;
      followed[base + reader] = followed[base + reader]! + 1;
      taken++;
    }
    edges += count;
  }
  return { inflow, followed, writesByBand, jobsByBand, authorsByBand, edges };
};

const percentile = (values: Uint32Array, p: number) => {
  const sorted = values.slice().sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};

/** Per threshold, from the walk: what the closed formulas predict, computed instead by summing over readers. */
const sweep = (walked: ReturnType<typeof walk>) =>
  THRESHOLDS.map((threshold, k) => {
    // Pushed at threshold k: authors of bands 0..k; celebrities: bands k+1 and up.
    let writes = 0;
    let jobs = 0;
    let celebrities = 0;
    for (let band = 0; band <= k; band++) {
      writes += walked.writesByBand[band]!;
      jobs += walked.jobsByBand[band]!;
    }
    for (let band = k + 1; band <= THRESHOLDS.length; band++) celebrities += walked.authorsByBand[band]!;
    const entries = HORIZONS.map(() => 0);
    let celebrityFollows = 0;
    const celebritiesPerReader = new Uint32Array(ACCOUNTS);
    for (let reader = 0; reader < ACCOUNTS; reader++) {
      let readerInflow = 0;
      for (let band = 0; band <= k; band++) readerInflow += walked.inflow[band * ACCOUNTS + reader]!;
      for (let h = 0; h < HORIZONS.length; h++) entries[h] = entries[h]! + Math.min(FEED_CAP, HORIZONS[h]! * readerInflow);
      let pulled = 0;
      for (let band = k + 1; band <= THRESHOLDS.length; band++) pulled += walked.followed[band * ACCOUNTS + reader]!;
      celebritiesPerReader[reader] = pulled;
      celebrityFollows += pulled;
    }
    return {
      threshold,
      celebrities,
      fanOutWritesPerDay: writes,
      fanOutJobsPerDay: jobs,
      feeds: HORIZONS.map((days, h) => ({ days, entries: entries[h]!, memoryBytes: entries[h]! * BYTES_PER_ENTRY })),
      celebritiesFollowedPerReader: { mean: celebrityFollows / ACCOUNTS, p99: percentile(celebritiesPerReader, 0.99), max: percentile(celebritiesPerReader, 1) },
    };
  });

const measureLogBytes = async () => {
  const schema = process.env.CAPACITY_LOG_SCHEMA;
  if (!schema) return null;
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`CAPACITY_LOG_SCHEMA=${schema} is not a schema name`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/test', max: 1 });
  try {
    const { rows } = await pool.query<{ type: string; events: number; bytes_per_event: number; all_bytes_per_event: number }>(bytesPerEventQuery(schema));
    return { schema, allBytesPerEvent: rows[0]?.all_bytes_per_event ?? null, byType: Object.fromEntries(rows.map((r) => [r.type, { events: r.events, bytesPerEvent: r.bytes_per_event }])) };
  } finally {
    await pool.end();
  }
};

const round = (n: number, digits = 3) => Number(n.toPrecision(digits));
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const tib = (bytes: number) => `${(bytes / 2 ** 40).toFixed(1)} TiB`;
const thousands = (n: number) => Math.round(n).toLocaleString('en');

const main = async () => {
  const started = performance.now();
  const { random } = seededRandom(SEED);
  const law = followerLaw(ALPHA, MEAN_FOLLOWS, ACCOUNTS - 1);
  const { followers, postsPerDay } = generateAccounts(random, law);
  const generatedMs = performance.now() - started;
  const walked = walk(random, followers, postsPerDay);
  const walkedMs = performance.now() - started - generatedMs;
  const simulated = sweep(walked);
  const simulationMs = performance.now() - started;

  // The same-run baseline: the closed formulas at this graph's size and law.
  const inputs = (threshold: number, horizonDays: number): FeedInputs => ({
    accounts: ACCOUNTS,
    law,
    postsPerAccountPerDay: POSTS_PER_ACCOUNT_PER_DAY,
    threshold,
    feedCap: FEED_CAP,
    horizonDays,
    bytesPerEntry: BYTES_PER_ENTRY,
    chunkSize: CHUNK_SIZE,
    pageSize: SEEDS.pageSize.value,
  });
  const checks = simulated.map((s) => {
    const f = inputs(s.threshold, HORIZONS[0]!);
    const feeds = s.feeds.map((feed) => {
      const formulaBytes = feedMemoryBytes(inputs(s.threshold, feed.days));
      return { days: feed.days, walkBytes: feed.memoryBytes, formulaBytes, ratio: round(feed.memoryBytes / formulaBytes, 4) };
    });
    const formula = {
      celebrities: ACCOUNTS * celebrityShare(law, s.threshold),
      fanOutWritesPerDay: fanOutWritesPerDay(f),
      fanOutJobsPerDayBound: fanOutJobsPerDayBound(f),
      feedMemoryCeilingBytes: feedMemoryCeilingBytes(f),
      celebritiesFollowedPerReader: celebritiesFollowedPerReader(f),
      pulledPostsPerRead: pulledPostsPerRead(f),
    };
    return {
      threshold: s.threshold,
      simulated: { ...s, pulledPostsPerRead: s.celebritiesFollowedPerReader.mean * (SEEDS.pageSize.value + 1) },
      formula,
      feeds,
      ratio: {
        fanOutWrites: round(s.fanOutWritesPerDay / formula.fanOutWritesPerDay, 4),
        fanOutJobsToBound: round(s.fanOutJobsPerDay / formula.fanOutJobsPerDayBound, 4),
        feedMemory: feeds.map((feed) => ({ days: feed.days, ratio: feed.ratio })),
        feedMemoryToCeiling: round(s.feeds.at(-1)!.memoryBytes / formula.feedMemoryCeilingBytes, 4),
        celebritiesFollowedPerReader: formula.celebritiesFollowedPerReader === 0 ? null : round(s.celebritiesFollowedPerReader.mean / formula.celebritiesFollowedPerReader, 4),
      },
    };
  });

  const logBytes = await measureLogBytes();
  const platformRoutes = routeLoads();
  const platformSweep = THRESHOLDS.map((threshold) => feedRoles(threshold));
  const platformFeed = feedRoles();
  const log = logGrowth();
  const search = searchRole(MEASURED.elasticsearchBytesPerDocument.value);

  console.log(
    `Simulated graph: ${thousands(ACCOUNTS)} accounts, ${thousands(walked.edges)} follows (mean ${(walked.edges / ACCOUNTS).toFixed(1)}; law mean ${meanFollowers(law).toFixed(1)}, ` +
      `xmin ${law.xmin.toFixed(2)}, alpha ${ALPHA}), largest account ${thousands(followers.reduce((m, f) => Math.max(m, f), 0))} followers; ` +
      `generated in ${(generatedMs / 1000).toFixed(1)} s, walked in ${(walkedMs / 1000).toFixed(1)} s, swept in ${((simulationMs - generatedMs - walkedMs) / 1000).toFixed(1)} s`,
  );
  console.log(`\nWalk vs closed formulas at ${thousands(ACCOUNTS)} accounts (feeds ${HORIZONS.join(', ')} days old, cap ${FEED_CAP}, ${BYTES_PER_ENTRY} bytes per entry):`);
  console.table(
    checks.map((c) => ({
      threshold: thousands(c.threshold),
      celebrities: `${thousands(c.simulated.celebrities)} / ${thousands(c.formula.celebrities)}`,
      'fan-out writes/day walk / formula': `${thousands(c.simulated.fanOutWritesPerDay)} / ${thousands(c.formula.fanOutWritesPerDay)}`,
      ratio: c.ratio.fanOutWrites,
      'jobs/day walk / bound': `${thousands(c.simulated.fanOutJobsPerDay)} / ${thousands(c.formula.fanOutJobsPerDayBound)}`,
      ...Object.fromEntries(c.feeds.map((feed) => [`memory at ${feed.days} d walk / formula (ratio)`, `${gib(feed.walkBytes)} / ${gib(feed.formulaBytes)} (${feed.ratio})`])),
      'celebs followed per reader walk (p99) / formula': `${c.simulated.celebritiesFollowedPerReader.mean.toFixed(2)} (${c.simulated.celebritiesFollowedPerReader.p99}) / ${c.formula.celebritiesFollowedPerReader.toFixed(2)}`,
    })),
  );

  console.log('\nAt the seeds\' scale: requests per route family and API processes at peak (70 % utilisation):');
  console.table(
    platformRoutes.map((r) => ({
      route: r.route,
      'per day': thousands(r.perDay),
      'average/s': thousands(r.averagePerSecond),
      'peak/s': thousands(r.peakPerSecond),
      'per process/s': thousands(r.perProcess),
      processes: r.processes,
      'per-process figure': r.perProcessSource,
    })),
  );
  console.log('\nAt the seeds\' scale: the celebrity threshold\'s cost curve (closed formulas, 1B accounts):');
  console.table(
    platformSweep.map((p) => ({
      threshold: thousands(p.threshold),
      celebrities: thousands(p.celebrities),
      'pushed share of follows': p.pushedFollowShare.toFixed(3),
      'fan-out writes/s avg / peak': `${thousands(p.fanOutWritesPerSecond)} / ${thousands(p.peakFanOutWritesPerSecond)}`,
      'celebs followed per reader': p.celebritiesFollowedPerReader.toFixed(2),
      'pulled posts per read': p.pulledPostsPerRead.toFixed(1),
      'pulled timeline reads/s at peak': thousands(p.pulledTimelineReadsPerSecond),
      'feed memory at 7 d / 30 d / 365 d': `${p.feedBytesByAge.map((age) => tib(age.bytes)).join(' / ')} / ${tib(p.redis.feedBytes)}`,
      'largest push, s (1 consumer / all)': `${p.largestPushSeconds.oneConsumer.toFixed(2)} / ${p.largestPushSeconds.allConsumers.toFixed(3)}`,
      'Kafka consumers / partitions': `${p.kafka.consumers} / ${p.kafka.partitions}`,
    })),
  );
  console.log(
    `\nRedis at the default threshold, first year: feeds ${tib(platformFeed.redis.feedBytes)} (ceiling ${tib(platformFeed.redis.feedCeilingBytes)}; listpacks ${tib(platformFeed.redis.feedBytesListpack)}), ` +
      `like marks ${tib(platformFeed.redis.marksBytesPerYear)}, timelines ${tib(platformFeed.redis.timelineBytesPerYear)}, following sets ${tib(platformFeed.redis.followingBytes)}; ` +
      `primaries ${platformFeed.redis.primariesForMemory} for memory, ${platformFeed.redis.primariesForFanOutWrites} for peak fan-out writes`,
  );
  console.log(
    `PostgreSQL log: ${thousands(log.eventsPerDay)} events/day (${thousands(log.eventsPerSecond)}/s), ${tib(log.bytesPerDay)}/day, ${tib(log.bytesPerYear)}/year; ` +
      `a year's rebuild in one pass: ${(log.rebuildSeconds.onePass1M / (365 * DAY)).toFixed(1)} years at the 1M rate, the log read alone ${(log.rebuildSeconds.logReadAlone / (365 * DAY)).toFixed(2)} years`,
  );
  console.log(
    `Elasticsearch, first year: posts ${tib(search.bytesFirstYear.posts)} (${search.primaryShardsFirstYear.posts} primary shards), likes ${tib(search.bytesFirstYear.likes)} (${search.primaryShardsFirstYear.likes}), ` +
      `comments ${tib(search.bytesFirstYear.comments)} (${search.primaryShardsFirstYear.comments}), users ${gib(search.bytesFirstYear.users)} (${search.primaryShardsFirstYear.users})`,
  );
  if (logBytes) console.log(`Log bytes per event measured on ${logBytes.schema}: ${logBytes.allBytesPerEvent} (model: ${MEASURED.logBytesPerEvent.value.all})`, logBytes.byType);
  console.log(`total run time ${((performance.now() - started) / 1000).toFixed(1)} s`);

  printFigures('capacity', {
    accounts: ACCOUNTS,
    follows: walked.edges,
    law: { alpha: law.alpha, xmin: round(law.xmin, 5), max: law.max, mean: round(meanFollowers(law), 5) },
    seed: SEED,
    horizonDays: HORIZONS,
    feedCap: FEED_CAP,
    bytesPerEntry: BYTES_PER_ENTRY,
    simulationSeconds: round(simulationMs / 1000),
    checks,
    platform: { routes: platformRoutes, sweep: platformSweep, log, search, measuredLogBytes: logBytes },
  });
};

await main();
