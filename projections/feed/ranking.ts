// The ranked home feed's score (docs/architecture.md "Ranked home feed"), PURE: no I/O, no clock
// (`nowMs` is a parameter), so the order is a function of its inputs and is property-tested
// (test/property/domain/ranking.test.ts). Every weight and bound is in this one table, each with
// its reason, as Mastodon's FeedManager keeps its constants in one place:
//
//   score = likes * 1 + comments * 2 + shares * 3 + recency * 10 + affinity * 5
//   recency = 1 for a post under an hour old, then 2^(-(age - 1 h) / 6 h)
//   affinity = sum over the viewer's interactions with the author (within 180 days) of
//              weight * 2^(-(now - at) / 30 d), weights: like 1, comment 2, story view 0.5
export const RANKING = {
  /** One like is the unit of engagement. */
  LIKE_WEIGHT: 1,
  /** A comment costs the commenter more than a like and starts a conversation: twice a like. */
  COMMENT_WEIGHT: 2,
  /** A share puts the post in front of a new audience: three likes. */
  SHARE_WEIGHT: 3,
  /** A brand-new post weighs as much as ten likes, so fresh posts can compete with popular ones. */
  RECENCY_WEIGHT: 10,
  /** Full recency during the first hour: a post just made is not ranked by its first minutes' luck. */
  RECENCY_FULL_MS: 60 * 60 * 1000,
  /** After the first hour recency halves every 6 hours: a day-old post keeps ~7 % of it. */
  RECENCY_HALF_LIFE_MS: 6 * 60 * 60 * 1000,
  /** One unit of affinity (one fresh like of the author) weighs five likes of the post. */
  AFFINITY_WEIGHT: 5,
  /** Interactions fade: one a month old counts half. */
  AFFINITY_HALF_LIFE_MS: 30 * 24 * 60 * 60 * 1000,
  /** Older interactions are ignored (they weigh under 2 % anyway), so the read of affinity is bounded. */
  AFFINITY_HORIZON_MS: 180 * 24 * 60 * 60 * 1000,
  /** The affinity a like of the author's post adds. */
  AFFINITY_LIKE: 1,
  /** A comment on the author's post: more effort than a like. */
  AFFINITY_COMMENT: 2,
  /** Watching the author's story: passive, half a like. */
  AFFINITY_STORY_VIEW: 0.5,
  /**
   * Posts ranked per session: the newest this many of the chronological home feed (pulled
   * celebrities included). Bounds the work of a first page (one card hydration and one affinity
   * query over them) while covering a few days of a typical feed.
   */
  CANDIDATES: 300,
  /** How long a session's ranked order stays pinned for its later pages. */
  SESSION_TTL_MS: 30 * 60 * 1000,
  /**
   * Pinned sessions kept per viewer (a few devices or tabs paging at once); a newer one pushes the
   * oldest out, whose cursor is then refused. Without it, one account within its read rate limit
   * could pin thousands of 300-id lists at once.
   */
  SESSIONS_PER_VIEWER: 5,
} as const;

/** What the score reads of a post. */
export interface RankCandidate {
  postId: string;
  authorId: string;
  createdAtMs: number;
  likes: number;
  comments: number;
  shares: number;
}

/** 1 within the first hour, then halving every RECENCY_HALF_LIFE_MS (a post dated ahead of `nowMs` counts as new). */
export const recencyFactor = (createdAtMs: number, nowMs: number): number => {
  const age = nowMs - createdAtMs;
  if (age <= RANKING.RECENCY_FULL_MS) return 1;
  return 2 ** (-(age - RANKING.RECENCY_FULL_MS) / RANKING.RECENCY_HALF_LIFE_MS);
};

/** One interaction's affinity now: its weight, halving every AFFINITY_HALF_LIFE_MS; none past the horizon. */
export const decayedAffinity = (weight: number, atMs: number, nowMs: number): number => {
  const age = Math.max(0, nowMs - atMs);
  return age > RANKING.AFFINITY_HORIZON_MS ? 0 : weight * 2 ** (-age / RANKING.AFFINITY_HALF_LIFE_MS);
};

/**
 * decayedAffinity summed in SQL over rows with `weight real` and `at timestamptz`, at the instant
 * `$now` (a timestamptz parameter): the read's form of the same rule. The horizon is the read's
 * `where` (AFFINITY_HORIZON_SQL), so that the index bounds the rows read.
 */
export const affinitySumSql = (now: string): string =>
  `sum(weight * power(2::float8, -greatest(0::float8, extract(epoch from (${now} - at))) * 1000 / ${RANKING.AFFINITY_HALF_LIFE_MS}))`;
export const affinityHorizonSql = (now: string): string => `at >= ${now} - interval '${RANKING.AFFINITY_HORIZON_MS / 1000} seconds'`;

export const rankScore = (candidate: RankCandidate, affinity: number, nowMs: number): number =>
  candidate.likes * RANKING.LIKE_WEIGHT +
  candidate.comments * RANKING.COMMENT_WEIGHT +
  candidate.shares * RANKING.SHARE_WEIGHT +
  recencyFactor(candidate.createdAtMs, nowMs) * RANKING.RECENCY_WEIGHT +
  affinity * RANKING.AFFINITY_WEIGHT;

/**
 * The candidates' ids, highest score first; equal scores newer first, then by id (descending):
 * a total order, so the same candidates give the same order whatever their input order.
 * `affinityByAuthor` misses count as no affinity.
 */
export const rankCandidates = (candidates: readonly RankCandidate[], affinityByAuthor: ReadonlyMap<string, number>, nowMs: number): string[] =>
  candidates
    .map((candidate) => ({ candidate, score: rankScore(candidate, affinityByAuthor.get(candidate.authorId) ?? 0, nowMs) }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.candidate.createdAtMs - a.candidate.createdAtMs ||
        (a.candidate.postId < b.candidate.postId ? 1 : a.candidate.postId > b.candidate.postId ? -1 : 0),
    )
    .map(({ candidate }) => candidate.postId);
