// The feed projection's tunables and their defaults (docs/architecture.md "Feed").
export interface FeedTunables {
  /** Authors with at least this many followers are pulled at read time (FEED_CELEBRITY_THRESHOLD). */
  celebrityThreshold: number;
  /** Followers per fan-out chunk. */
  chunkSize: number;
  /** How many of a followee's newest posts a follow pushes into the follower's feed. */
  backfillLimit: number;
  /** Fan-out chunks of one post in flight at once. */
  fanOutConcurrency: number;
  /** Streams of one batch applied at once (events of one stream always in order). */
  concurrency: number;
}

export const DEFAULT_FEED_TUNABLES: FeedTunables = {
  celebrityThreshold: 10_000,
  chunkSize: 1_000,
  backfillLimit: 100,
  fanOutConcurrency: 4,
  concurrency: 8,
};

export const feedTunables = (given: Partial<FeedTunables> = {}): FeedTunables => {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const tunables: FeedTunables = { ...DEFAULT_FEED_TUNABLES, ...defined };
  for (const [name, value] of Object.entries(tunables)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`feed ${name} must be a positive integer, got ${value}`);
  }
  return tunables;
};
