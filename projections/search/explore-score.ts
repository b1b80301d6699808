import { isUuid } from '../profiles/keyset.js';
import { AppError } from '../../kernel/errors.js';
import { decodeCursor, pageLimit, type PageRequest } from '../runtime/page.js';
import { checkExploreCursor } from './query-bounds.js';

// The explore ranking (docs/architecture.md "Search", port: search-store.ts), one formula for every adapter:
//
//   score = (1 + likes + 2 x comments) / (hours since posted + 2) ^ 1.5
//
// A "hacker news" style gravity: engagement lifts a post, age pulls it down, and the +2 hours
// keep a brand-new post with one like from outranking everything. A comment is worth two likes
// (it costs its author more). The 1 gives a post nobody engaged with yet a score that still
// orders by age. Hours are clamped at 0, so a post stamped slightly after `now` (clocks of
// different writers) ranks as brand new instead of producing NaN.
//
// The same weighting, without the age, is the 'top' order of postsByHashtag: engagement().

export const EXPLORE_WINDOW_DAYS = 7;
export const COMMENT_WEIGHT = 2;
export const AGE_OFFSET_HOURS = 2;
export const GRAVITY = 1.5;

const HOUR_MS = 3_600_000;

export interface EngagementCounts {
  likes: number;
  comments: number;
}

/** Likes plus comments weighted as explore weighs them: the 'top' order of a hashtag's posts. */
export const engagement = ({ likes, comments }: EngagementCounts): number => likes + COMMENT_WEIGHT * comments;

/** Hours between `createdAtMs` and `nowMs`, never negative. */
export const ageHours = (createdAtMs: number, nowMs: number): number => Math.max(0, nowMs - createdAtMs) / HOUR_MS;

/** The explore score of a post at `nowMs` (both times in epoch milliseconds). */
export const exploreScore = (counts: EngagementCounts, createdAtMs: number, nowMs: number): number =>
  (1 + engagement(counts)) / Math.pow(ageHours(createdAtMs, nowMs) + AGE_OFFSET_HOURS, GRAVITY);

/** The earliest creation time (epoch ms) explore considers at `nowMs`: a post of exactly that age is out. */
export const exploreWindowStart = (nowMs: number, windowDays: number = EXPLORE_WINDOW_DAYS): number => nowMs - windowDays * 24 * HOUR_MS;

/**
 * The same score as a SQL expression (PostgreSQL, float8), for ranking in the database. The
 * arguments are SQL expressions: like and comment counts, creation time and now, both as epoch
 * milliseconds. Built from the constants above so that the two can never disagree.
 */
export const exploreScoreSql = (likes: string, comments: string, createdAtMs: string, nowMs: string): string =>
  `((1 + ${likes} + ${COMMENT_WEIGHT} * ${comments})::float8 / power(greatest(0, ${nowMs} - ${createdAtMs})::float8 / ${HOUR_MS} + ${AGE_OFFSET_HOURS}, ${GRAVITY}))`;

/**
 * The explore cursor of every adapter: [now, score, id] of the last post shown. Later pages are
 * scored at the first page's `now`, so they continue the ranking the first page was cut from.
 */
export const decodeExploreCursor = (request: PageRequest): { nowMs: number; score: number; id: string } | null => {
  if (request.cursor === undefined) return null;
  const [nowMs, score, id] = decodeCursor(request.cursor, ['number', 'number', 'string']) as [number, number, string];
  if (!isUuid(id) || !Number.isSafeInteger(nowMs) || Number.isNaN(new Date(nowMs).getTime())) throw new AppError('INVALID_CURSOR');
  return { nowMs, score, id };
};

/**
 * What every adapter's explore starts with: the page size, the cursor (refused when its instant is
 * far from `now` or its score impossible: query-bounds.ts), the instant the ranking is computed at
 * (the first page's, carried by the cursor) and the window's start (epoch ms).
 */
export const explorePage = (request: PageRequest, now: Date, windowDays: number = EXPLORE_WINDOW_DAYS) => {
  const limit = pageLimit(request);
  const after = decodeExploreCursor(request);
  if (after !== null) checkExploreCursor(after, now.getTime());
  const nowMs = after?.nowMs ?? now.getTime();
  const sinceMs = exploreWindowStart(nowMs, windowDays);
  if (Number.isNaN(new Date(sinceMs).getTime())) throw new RangeError('explore needs a valid `now` and window');
  return { limit, after, nowMs, sinceMs };
};
