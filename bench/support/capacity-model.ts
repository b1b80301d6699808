// The capacity model of docs/capacity.md, as code: the seeds' sizing (500M DAU), the assumptions
// the seeds do not settle (each one marked, with what in the seeds anchors it), the figures this
// repository's benchmarks measured (each with its command and where it is written), and the closed
// formulas that turn them into per-role numbers. One home for all of it, so that the simulation
// (bench/capacity-simulation.ts), its unit test and the doc cannot drift apart: the doc's tables
// are the output of `npm run bench:capacity`.

// ---- the seeds (the brief's sizing documents) ------------------------------------------------------

/** Figures the seeds state. `source` names the seed document and its section. */
export const SEEDS = {
  dailyActiveUsers: { value: 500_000_000, source: 'HLD seed, "Scale Requirements": 500 million DAU' },
  accounts: { value: 1_000_000_000, source: '"Design Instagram" seed, scale requirements: 1 billion users, 500 million DAU' },
  uploadsPerDay: { value: 50_000_000, source: 'HLD seed, "Capacity Estimation": 50M uploads/day, about 580 writes/s' },
  feedRefreshesPerUserPerDay: { value: 10, source: 'HLD seed, "Capacity Estimation": 10 feed refreshes/day, 5B reads/day, about 58K QPS' },
  peakToAverage: { value: 3, source: 'HLD seed, "Capacity Estimation": peak read QPS 3x average, about 175K QPS' },
  likesPerDay: { value: 4_200_000_000, source: '"Design Instagram" seed: 4.2 billion likes per day' },
  storiesPerDay: { value: 500_000_000, source: 'HLD seed, "Modern Scale Estimates": 500 million stories per day' },
  celebrityThreshold: { value: 10_000, source: 'HLD seed, "Hybrid Approach": fan-out on write below 10K followers (also FEED_CELEBRITY_THRESHOLD\'s default)' },
  feedCap: { value: 800, source: '"Design Instagram" seed, "Feed Storage": keep only the last 800 posts per user (also DEFAULT_FEED_CAP)' },
  targetUtilisation: { value: 0.7, source: 'HLD seed, "Horizontal Scaling": CPU > 70% -> scale up' },
  cacheHitRatio: { value: 0.9, source: '"Hybrid Push-Pull Feed at 100M Followers" seed, "Caching Strategy": application LRU hit ratio > 90%' },
  pageSize: { value: 20, source: 'HLD seed, "API Design": GET /api/v1/feed/home?limit=20' },
} as const;

// ---- assumptions (not stated by the seeds) -----------------------------------------------------

/** What the seeds leave open. Each says so, and what in the seeds (or the code) anchors the value. */
export const ASSUMPTIONS = {
  meanFollowsPerAccount: {
    value: 200,
    source:
      'ASSUMPTION: the seeds give no average; anchors: the "Design Instagram" seed\'s ordinary author "User A (500 followers)", and pull being the problem for "users following 1000+ accounts" (the code caps following at FOLLOWING_MAX 7,500)',
  },
  followerTailExponent: {
    value: 1.2,
    source:
      'ASSUMPTION: Pareto tail of follower counts, P(followers > x) = (x / xmin)^-1.2; the seeds say only that a tail of celebrities with 1M-100M followers exists ("Celebrity fan-out (100M followers)")',
  },
  feedHorizonDays: {
    value: 365,
    source: 'ASSUMPTION: feeds are kept as long as the log (the code sets no TTL on feed keys); the HLD seed\'s 7-day TTL "for active users" is not what the code does',
  },
  postPagesPerUserPerDay: { value: 5, source: 'ASSUMPTION: half of the feed refreshes open one post (comments, likers); the seeds give no figure' },
  profilesPerUserPerDay: { value: 3, source: 'ASSUMPTION: the seeds give no figure' },
  storiesTraysPerUserPerDay: { value: 10, source: 'ASSUMPTION: the tray is loaded with every feed refresh (the seeds\' 10/day)' },
  searchesPerUserPerDay: { value: 2, source: 'ASSUMPTION: the seeds give no figure (only "Search latency < 300ms")' },
  commentsPerDay: { value: 420_000_000, source: 'ASSUMPTION: one comment per ten likes of the seeds\' 4.2B/day' },
  followsPerDay: { value: 250_000_000, source: 'ASSUMPTION: one follow per two DAU a day (the HLD seed rate-limits follows at 200/hour)' },
  storyViewsPerDay: { value: 5_000_000_000, source: 'ASSUMPTION: ten story views per DAU a day (the HLD seed tracks every view: "Track story views")' },
  redisUsableBytesPerPrimary: { value: 25 * 2 ** 30, source: 'ASSUMPTION: 25 GiB of data per Redis primary (a 32 GiB node with room for fork copy-on-write and fragmentation)' },
  elasticsearchShardBytes: { value: 30 * 2 ** 30, source: "ASSUMPTION: 30 GiB per primary shard (Elastic's guidance is 10-50 GB)" },
  kafkaPartitionHeadroom: { value: 2, source: 'ASSUMPTION: twice as many partitions as consumers at peak, so consumers can be added without repartitioning' },
} as const;

// ---- measured figures (this repository's benchmarks) ---------------------------------------------

/** Each figure with the command that measured it and where the run is written. */
export const MEASURED = {
  homeFeedPerProcess: { value: 11_654, source: '`npm run bench:feed`, README "Benchmarks": the chronological page in the run of 2026-12-03, 20 hydrated items, 50 connections (earlier runs 3,072 to 5,968)' },
  homeFeedRankedPerProcess: { value: 2_145, source: '`npm run bench:feed`, README "Benchmarks": ranked first pages in the same run' },
  homeFeedLowestPerProcess: { value: 3_072, source: '`npm run bench:feed`, README "Benchmarks": the lowest of its runs' },
  postPageCachedPerProcess: { value: 8_069, source: '`npm run bench:post-page`, README "Benchmarks": 11,260 and 8,069 req/s (the lower), from the card cache' },
  postPageUncachedPerProcess: { value: 1_167, source: '`npm run bench:post-page`, README "Benchmarks": 1,167 req/s with one named statement, before the card cache' },
  profileCachedPerProcess: { value: 11_862, source: '`npm run bench:profile`, README "Benchmarks": 12,617 and 11,862 req/s (the lower), from the card cache' },
  profileUncachedPerProcess: { value: 1_183, source: '`npm run bench:profile`, README "Benchmarks": 1,183 req/s with one named statement' },
  createPostPerProcess: { value: 1_647, source: '`npm run bench:http`, README "Benchmarks": 1,647 req/s on the quiet machine' },
  bytesPerFeedEntry: { value: 136.7, source: '`npm run bench:feed:memory`, README "Benchmarks": 136.7 bytes per entry of a full 800-entry feed, text ids' },
  bytesPerFeedEntryListpack: { value: 56.7, source: '`npm run bench:feed:memory`, README "Benchmarks": 56.7 bytes per entry as a listpack, text ids' },
  bytesPerLikeMark: { value: 80.6, source: '`npm run bench:feed:memory`, README "Benchmarks": 80.6 bytes per like in `feed-liked:{u}` (500 likes each)' },
  fanOutInsertsPerConsumer: { value: 17_000, source: '`npm run bench:fanout:kafka`, README "Benchmarks": 17k feed inserts/s through Kafka at 10,000 and 100,000 followers' },
  redisZaddsPerServer: { value: 33_000, source: '`npm run bench:fanout:kafka`, README "Benchmarks": pipelined ZADDs 46k/s (10,000 followers) and 33k/s (100,000), the lower' },
  replayOnePassPerSecond: { value: 6_332, source: '`REPLAY_BACKENDS=postgres npm run bench:replay`, README "Benchmarks": all read models in one pass, 1M events' },
  replayOnePassPerSecond10M: { value: 2_976, source: 'the 10M run of `npm run bench:replay`, this page "Rebuilding read models"' },
  replayLogReadPerSecond: { value: 65_099, source: '`REPLAY_BACKENDS=postgres npm run bench:replay`, README "Benchmarks": reading the log alone, 1M events' },
  elasticsearchBytesPerDocument: {
    value: { posts: 324, likes: 264, comments: 193, users: 287 },
    source: '`npm run bench:search`, docs/capacity.md "Elasticsearch": primaries merged to one segment over 100,000 posts, 10,000 users, 19,513 likes, 5,857 comments',
  },
  /** Bytes per event of the PostgreSQL log, heap and indexes, by type (see bytesPerEventQuery). */
  logBytesPerEvent: {
    value: { all: 798, Liked: 763, CommentAdded: 865, Followed: 731, PostCreated: 880, StoryViewed: 779, StoryPosted: 809, UserRegistered: 691 },
    source:
      '`REPLAY_EVENTS=200000 REPLAY_LOG_SCHEMA=bench_log_200k npm run bench:replay`\'s kept log (199,194 events), pg_total_relation_size / count, and per type the row size plus the per-event share of headers, page slack and the four indexes (250.6 bytes)',
  },
} as const;

/** The query that measures MEASURED.logBytesPerEvent on a kept log (the simulation runs it when CAPACITY_LOG_SCHEMA is set). */
export const bytesPerEventQuery = (schema: string) => `
  with sizes as (select pg_total_relation_size('${schema}.events')::float8 as total, count(*)::float8 as events, sum(pg_column_size(e.*))::float8 as rows from ${schema}.events e)
  select e.type, count(*)::int as events, round(avg(pg_column_size(e.*)) + (s.total - s.rows) / s.events)::int as bytes_per_event, round(s.total / s.events)::int as all_bytes_per_event
  from ${schema}.events e, sizes s group by e.type, s.total, s.rows, s.events order by e.type`;

// ---- the follower law ----------------------------------------------------------------------------

/** Followers of an account: min(max, X), X Pareto with this xmin and tail exponent alpha > 1. */
export interface FollowerLaw {
  readonly alpha: number;
  readonly xmin: number;
  /** No account has more followers than there are other accounts. */
  readonly max: number;
}

/** P(X >= x). */
const tail = (law: FollowerLaw, x: number) => (x <= law.xmin ? 1 : (x / law.xmin) ** -law.alpha);

/** E[X; X < t] for the uncapped Pareto. */
const partialMean = (law: FollowerLaw, t: number) =>
  t <= law.xmin ? 0 : ((law.alpha * law.xmin) / (law.alpha - 1)) * (1 - (t / law.xmin) ** (1 - law.alpha));

/** Mean followers of an account, min(max, X). */
export const meanFollowers = (law: FollowerLaw): number => partialMean(law, law.max) + law.max * tail(law, law.max);

/** The law with this tail exponent and cap whose mean is `mean` (xmin by bisection: the mean grows with it). */
export const followerLaw = (alpha: number, mean: number, max: number): FollowerLaw => {
  if (!(alpha > 1)) throw new Error(`the follower tail exponent must be above 1 (a finite mean), got ${alpha}`);
  if (!(mean >= 1 && mean < max)) throw new Error(`mean followers ${mean} must be at least 1 and below the cap ${max}`);
  let low = 0;
  let high = mean;
  for (let i = 0; i < 200; i++) {
    const xmin = (low + high) / 2;
    if (meanFollowers({ alpha, xmin, max }) < mean) low = xmin;
    else high = xmin;
  }
  return { alpha, xmin: (low + high) / 2, max };
};

/** Share of accounts at or above the celebrity threshold (pulled at read time). */
export const celebrityShare = (law: FollowerLaw, threshold: number): number => (threshold > law.max ? 0 : tail(law, threshold));

/** Share of all follows whose followee is below the threshold, i.e. pushed on write. */
export const pushedFollowShare = (law: FollowerLaw, threshold: number): number =>
  threshold > law.max ? 1 : partialMean(law, threshold) / meanFollowers(law);

// ---- closed formulas -----------------------------------------------------------------------------

export interface FeedInputs {
  readonly accounts: number;
  readonly law: FollowerLaw;
  /** Posts per account per day (independent of its followers: an assumption). */
  readonly postsPerAccountPerDay: number;
  readonly threshold: number;
  readonly feedCap: number;
  readonly horizonDays: number;
  readonly bytesPerEntry: number;
  readonly chunkSize: number;
  readonly pageSize: number;
}

/** Feed inserts a day: every post of an author below the threshold, once per follower. */
export const fanOutWritesPerDay = (f: FeedInputs): number =>
  f.accounts * f.postsPerAccountPerDay * meanFollowers(f.law) * pushedFollowShare(f.law, f.threshold);

/** Fan-out jobs (Kafka messages of chunkSize followers) a day: at most one per pushed post plus one per chunkSize inserts. */
export const fanOutJobsPerDayBound = (f: FeedInputs): number =>
  f.accounts * f.postsPerAccountPerDay * (1 - celebrityShare(f.law, f.threshold)) + fanOutWritesPerDay(f) / f.chunkSize;

/** Celebrities a reader follows, on average: the follows of celebrities shared out over the accounts. */
export const celebritiesFollowedPerReader = (f: FeedInputs): number => meanFollowers(f.law) * (1 - pushedFollowShare(f.law, f.threshold));

/** Posts merged at read time per first page: each followed celebrity's timeline, a page and one more (feed-reader.ts). */
export const pulledPostsPerRead = (f: FeedInputs): number => celebritiesFollowedPerReader(f) * (f.pageSize + 1);

/** Entries of the mean feed: its inflow over the horizon, at most the cap (an upper bound of the mean: min is concave). */
export const meanFeedEntries = (f: FeedInputs): number =>
  Math.min(f.feedCap, f.horizonDays * f.postsPerAccountPerDay * meanFollowers(f.law) * pushedFollowShare(f.law, f.threshold));

export const feedMemoryBytes = (f: FeedInputs): number => f.accounts * meanFeedEntries(f) * f.bytesPerEntry;

/** Every feed full. */
export const feedMemoryCeilingBytes = (f: Pick<FeedInputs, 'accounts' | 'feedCap' | 'bytesPerEntry'>): number => f.accounts * f.feedCap * f.bytesPerEntry;

// ---- the platform at the seeds' scale -------------------------------------------------------------

const DAY = 86_400;
const perSecond = (perDay: number) => perDay / DAY;

/** Requests a process answers when a share of them hit its card cache and the rest go to PostgreSQL. */
export const mixedRate = (hitRatio: number, hitRate: number, missRate: number): number => 1 / (hitRatio / hitRate + (1 - hitRatio) / missRate);

export interface RouteLoad {
  route: string;
  perDay: number;
  averagePerSecond: number;
  peakPerSecond: number;
  perProcess: number;
  perProcessSource: string;
  processes: number;
}

export const platformFeedInputs = (threshold: number = SEEDS.celebrityThreshold.value, horizonDays: number = ASSUMPTIONS.feedHorizonDays.value): FeedInputs => ({
  accounts: SEEDS.accounts.value,
  law: followerLaw(ASSUMPTIONS.followerTailExponent.value, ASSUMPTIONS.meanFollowsPerAccount.value, SEEDS.accounts.value - 1),
  postsPerAccountPerDay: SEEDS.uploadsPerDay.value / SEEDS.accounts.value,
  threshold,
  feedCap: SEEDS.feedCap.value,
  horizonDays,
  bytesPerEntry: MEASURED.bytesPerFeedEntry.value,
  chunkSize: 1_000,
  pageSize: SEEDS.pageSize.value,
});

/** Requests/s per route family and the API processes they need at peak, at the target utilisation. */
export const routeLoads = (): RouteLoad[] => {
  const dau = SEEDS.dailyActiveUsers.value;
  const peak = SEEDS.peakToAverage.value;
  const hit = SEEDS.cacheHitRatio.value;
  const rows: [string, number, number, string][] = [
    ['home feed', dau * SEEDS.feedRefreshesPerUserPerDay.value, MEASURED.homeFeedPerProcess.value, 'bench:feed (chronological)'],
    ['home feed if every refresh were a ranked first page', dau * SEEDS.feedRefreshesPerUserPerDay.value, MEASURED.homeFeedRankedPerProcess.value, 'bench:feed (ranked first pages); instead of the row above, not counted in the total'],
    [
      'post page',
      dau * ASSUMPTIONS.postPagesPerUserPerDay.value,
      mixedRate(hit, MEASURED.postPageCachedPerProcess.value, MEASURED.postPageUncachedPerProcess.value),
      `bench:post-page, ${hit * 100} % card-cache hits`,
    ],
    ['profile', dau * ASSUMPTIONS.profilesPerUserPerDay.value, mixedRate(hit, MEASURED.profileCachedPerProcess.value, MEASURED.profileUncachedPerProcess.value), `bench:profile, ${hit * 100} % card-cache hits`],
    ['stories tray', dau * ASSUMPTIONS.storiesTraysPerUserPerDay.value, MEASURED.homeFeedLowestPerProcess.value, "NOT MEASURED: taken as the home feed's lowest run (the tray reads every followed author's stories)"],
    ['search', dau * ASSUMPTIONS.searchesPerUserPerDay.value, MEASURED.profileUncachedPerProcess.value, "NOT MEASURED: taken as an uncached profile's (one backend query)"],
    [
      'writes (posts, likes, comments, follows, stories, story views)',
      SEEDS.uploadsPerDay.value + SEEDS.likesPerDay.value + ASSUMPTIONS.commentsPerDay.value + ASSUMPTIONS.followsPerDay.value + SEEDS.storiesPerDay.value + ASSUMPTIONS.storyViewsPerDay.value,
      MEASURED.createPostPerProcess.value,
      'bench:http (create-post; every write taken as one)',
    ],
  ];
  return rows.map(([route, perDay, perProcess, perProcessSource]) => {
    const peakPerSecond = perSecond(perDay) * peak;
    return {
      route,
      perDay,
      averagePerSecond: perSecond(perDay),
      peakPerSecond,
      perProcess,
      perProcessSource,
      processes: Math.ceil(peakPerSecond / (perProcess * SEEDS.targetUtilisation.value)),
    };
  });
};

/** Events a day by type, and the PostgreSQL log's growth from the measured bytes per event. */
export const logGrowth = () => {
  const bytes = MEASURED.logBytesPerEvent.value;
  const rows: [string, number, number][] = [
    ['PostCreated', SEEDS.uploadsPerDay.value, bytes.PostCreated],
    ['Liked', SEEDS.likesPerDay.value, bytes.Liked],
    ['CommentAdded', ASSUMPTIONS.commentsPerDay.value, bytes.CommentAdded],
    ['Followed', ASSUMPTIONS.followsPerDay.value, bytes.Followed],
    ['StoryPosted', SEEDS.storiesPerDay.value, bytes.StoryPosted],
    ['StoryViewed', ASSUMPTIONS.storyViewsPerDay.value, bytes.StoryViewed],
  ];
  const types = rows.map(([type, perDay, bytesPerEvent]) => ({ type, perDay, bytesPerEvent, bytesPerDay: perDay * bytesPerEvent }));
  const eventsPerDay = types.reduce((sum, t) => sum + t.perDay, 0);
  const bytesPerDay = types.reduce((sum, t) => sum + t.bytesPerDay, 0);
  const eventsPerYear = eventsPerDay * 365;
  return {
    types,
    eventsPerDay,
    eventsPerSecond: perSecond(eventsPerDay),
    bytesPerDay,
    bytesPerYear: bytesPerDay * 365,
    eventsPerYear,
    /** A year's log through one rebuild pass at the measured rates (seconds). */
    rebuildSeconds: { onePass1M: eventsPerYear / MEASURED.replayOnePassPerSecond.value, onePass10M: eventsPerYear / MEASURED.replayOnePassPerSecond10M.value, logReadAlone: eventsPerYear / MEASURED.replayLogReadPerSecond.value },
  };
};

/** Fan-out, Redis and Kafka at the seeds' scale for one celebrity threshold. */
export const feedRoles = (threshold: number = SEEDS.celebrityThreshold.value) => {
  const f = platformFeedInputs(threshold);
  const peak = SEEDS.peakToAverage.value;
  const writesPerSecond = perSecond(fanOutWritesPerDay(f));
  const peakWritesPerSecond = writesPerSecond * peak;
  const feedBytes = feedMemoryBytes(f);
  const marksBytesPerYear = SEEDS.likesPerDay.value * 365 * MEASURED.bytesPerLikeMark.value;
  const timelineBytesPerYear = SEEDS.uploadsPerDay.value * 365 * MEASURED.bytesPerFeedEntry.value;
  const followingBytes = f.accounts * meanFollowers(f.law) * MEASURED.bytesPerLikeMark.value;
  const redisBytes = feedBytes + marksBytesPerYear + timelineBytesPerYear + followingBytes;
  const consumers = Math.ceil(peakWritesPerSecond / MEASURED.fanOutInsertsPerConsumer.value);
  return {
    threshold,
    law: f.law,
    celebrities: f.accounts * celebrityShare(f.law, threshold),
    pushedFollowShare: pushedFollowShare(f.law, threshold),
    fanOutWritesPerSecond: writesPerSecond,
    peakFanOutWritesPerSecond: peakWritesPerSecond,
    fanOutJobsPerSecondBound: perSecond(fanOutJobsPerDayBound(f)) * peak,
    celebritiesFollowedPerReader: celebritiesFollowedPerReader(f),
    pulledPostsPerRead: pulledPostsPerRead(f),
    pulledTimelineReadsPerSecond: perSecond(SEEDS.dailyActiveUsers.value * SEEDS.feedRefreshesPerUserPerDay.value) * peak * celebritiesFollowedPerReader(f),
    meanFeedEntries: meanFeedEntries(f),
    /** Feed memory when feeds are this young (the seeds' 7-day TTL, a month): below the cap, the threshold matters. */
    feedBytesByAge: [7, 30].map((days) => ({ days, bytes: feedMemoryBytes(platformFeedInputs(threshold, days)) })),
    /** One post by an author just below the threshold, into every feed: by one consumer, and spread over all of them (chunks). */
    largestPushSeconds: { oneConsumer: threshold / MEASURED.fanOutInsertsPerConsumer.value, allConsumers: threshold / (consumers * MEASURED.fanOutInsertsPerConsumer.value) },
    redis: {
      feedBytes,
      feedBytesListpack: f.accounts * meanFeedEntries(f) * MEASURED.bytesPerFeedEntryListpack.value,
      feedCeilingBytes: feedMemoryCeilingBytes(f),
      marksBytesPerYear,
      timelineBytesPerYear,
      followingBytes,
      totalBytesFirstYear: redisBytes,
      primariesForMemory: Math.ceil(redisBytes / ASSUMPTIONS.redisUsableBytesPerPrimary.value),
      primariesForFanOutWrites: Math.ceil(peakWritesPerSecond / (MEASURED.redisZaddsPerServer.value * SEEDS.targetUtilisation.value)),
    },
    kafka: { consumers, partitions: consumers * ASSUMPTIONS.kafkaPartitionHeadroom.value },
  };
};

/** Elasticsearch from the measured bytes per document (bench:search) and the search request rate. */
export const searchRole = (bytesPerDocument: { posts: number; likes: number; comments: number; users: number }) => {
  const perYear = (perDay: number, bytes: number) => perDay * 365 * bytes;
  const posts = perYear(SEEDS.uploadsPerDay.value, bytesPerDocument.posts);
  const likes = perYear(SEEDS.likesPerDay.value, bytesPerDocument.likes);
  const comments = perYear(ASSUMPTIONS.commentsPerDay.value, bytesPerDocument.comments);
  const users = SEEDS.accounts.value * bytesPerDocument.users;
  const shards = (bytes: number) => Math.max(1, Math.ceil(bytes / ASSUMPTIONS.elasticsearchShardBytes.value));
  return {
    bytesFirstYear: { posts, likes, comments, users },
    primaryShardsFirstYear: { posts: shards(posts), likes: shards(likes), comments: shards(comments), users: shards(users) },
  };
};
