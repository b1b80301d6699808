// The feed projection's tunables (docs/architecture.md "Feed").

/** The two the deployment chooses; their defaults are configuration's (app/config.ts). */
export interface FeedSettings {
  /** Authors with at least this many followers are pulled at read time (FEED_CELEBRITY_THRESHOLD). */
  celebrityThreshold: number;
  /** Followers per fan-out chunk (FANOUT_CHUNK_SIZE). */
  chunkSize: number;
}

/** The ones fixed here: they pace the projection and change none of its answers. */
export interface FeedPacing {
  /** How many of a followee's newest posts a follow pushes into the follower's feed. */
  backfillLimit: number;
  /** Fan-out chunks of one post in flight at once. */
  fanOutConcurrency: number;
  /** Streams of one batch applied at once (events of one stream always in order). */
  concurrency: number;
}

/**
 * How a home feed is trimmed at its cap (feed-store-redis.ts, and feed-store-postgres.ts below), amortized: a fan-out push
 * only adds, for all but one follower in FEED_TRIM_EVERY (settlesOn: a hash of the follower and
 * the post, so a replay chooses the same), whose push also settles the feed, cutting it back to
 * the cap and raising its floor. In between a feed holds a few entries past the cap
 * (FEED_TRIM_EVERY on average) that no read shows: reads answer the newest `feedCap` only, and
 * the floor they see is raised to the first hidden entry (the cut). A backfill always settles,
 * and a removal settles first (so that hidden entries never come back into view). Why: the trim
 * is a script per feed, about twice a ZADD, which put a fan-out to 10,000 full feeds over its
 * 100 ms budget (bench:fanout). Changes no answer; 16 keeps the memory past the cap near 2% of an
 * 800-entry feed. The PostgreSQL store settles by the same rule, where a trim at every push was
 * a delete per feed per push: 11-14x the fan-out's baseline into full feeds (bench:fanout).
 */
export const FEED_TRIM_EVERY = 16;

/**
 * The PostgreSQL store also settles a feed on any push that leaves it more than this many entries
 * past its cap, whoever settlesOn chooses: it finds the cut by walking the feed from its oldest
 * entry (its exact size minus the cap), so the entries past the cap bound every read's cost. The
 * hash skips a feed 64 pushes running about once in 60 (15/16 to the 64th), so this seldom acts;
 * a backfill settles anyway.
 */
export const FEED_SETTLE_PAST = 4 * FEED_TRIM_EVERY;

/** FNV-1a, 32 bits: a cheap, stable spread of ids (not a security hash). */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

/** Which followers' push of `postId` settles their feed (FEED_TRIM_EVERY): one in FEED_TRIM_EVERY, rotating with the post. */
export const settlesOn = (postId: string): ((userId: string) => boolean) => {
  const postHash = fnv1a(postId);
  return (userId) => ((fnv1a(userId) + postHash) >>> 0) % FEED_TRIM_EVERY === 0;
};

export type FeedTunables = FeedSettings & FeedPacing;

export const DEFAULT_FEED_PACING: FeedPacing = {
  backfillLimit: 100,
  fanOutConcurrency: 4,
  concurrency: 8,
};

export const feedTunables = (given: FeedSettings & Partial<FeedPacing>): FeedTunables => {
  const { celebrityThreshold, chunkSize, ...pacing } = given;
  const defined: Partial<FeedPacing> = Object.fromEntries(Object.entries(pacing).filter(([, value]) => value !== undefined));
  const tunables: FeedTunables = { ...DEFAULT_FEED_PACING, ...defined, celebrityThreshold, chunkSize };
  for (const [name, value] of Object.entries(tunables)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`feed ${name} must be a positive integer, got ${value}`);
  }
  return tunables;
};
