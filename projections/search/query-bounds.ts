import { AppError } from '../../kernel/errors.js';

// The bounds of the search read model's queries, in one home (as Mastodon keeps its feed limits in
// FeedManager): each caps the work one request can make, whatever the index holds and whatever a
// client puts in its cursor. Both adapters (postgres/, elasticsearch/) take them from here, the
// contract suite (test/integration/search-store.contract.ts) checks the order within them, and
// docs/architecture.md "Search" lists them.
//
// What needs no constant: a hashtag's 'top' and 'recent' pages are index ranges on PostgreSQL
// (post_tags keeps each post's engagement) and sorted top-k collections over doc values on
// Elasticsearch (a heap of the page's size, never a sort of the tag's posts, and search_after for
// any cursor); the cursors of search and hashtag pages only ever narrow such a range.

/**
 * PostgreSQL text search ranks at most this many matches per page: the newest ones (index order,
 * no rank computed to pick them). A query of common words matches nearly every post, and ranking
 * every match (ts_rank reads each match's whole tsvector) would cost a scan of the table per page.
 * Older matches beyond it are not found by text (their hashtag pages still list them).
 */
export const SEARCH_RANKED_CANDIDATES = 1_000;

/**
 * Explore (PostgreSQL) scores at most this many posts from each of its lists per request: the
 * newest posts of the window, and the most engaged posts of each UTC day of the window (an index
 * range per day). Scoring every post of a seven-day window per request grows with the platform;
 * a post outside both lists is both older than the newest ones and less engaged than the day's
 * best, so it ranks below them (only deep pages lose posts: at most 9 x this many are listed).
 */
export const EXPLORE_CANDIDATES_PER_LIST = 200;

/**
 * Explore (Elasticsearch) reads at most this many posts of the window per request (the threshold
 * algorithm's two sorted lists together; explore.ts). A cursor deep in the ranking, or a forged
 * one with a tiny score, is answered from the best posts seen within it.
 */
export const EXPLORE_MAX_SCANNED = 2_000;

/**
 * An explore cursor carries the instant its ranking was computed at; one older than this (or
 * ahead of the server's clock by more than EXPLORE_CURSOR_MAX_SKEW_MS) is refused as
 * INVALID_CURSOR. A forged `now` far in the past would rank another window than the present one
 * (and on Elasticsearch, scan it); a client whose list is older than an hour starts it again.
 */
export const EXPLORE_CURSOR_MAX_AGE_MS = 3_600_000;
export const EXPLORE_CURSOR_MAX_SKEW_MS = 300_000;

/**
 * Place search proposes at most this many locations by name (the trigram-nearest keys, and the
 * most used keys starting with the text) and, with a point, this many nearest to it
 * (PLACES_NEAREST_CANDIDATES, PostgreSQL's k-nearest-neighbour scan; Elasticsearch filters by the
 * radius itself); the exact rule (place-ranking.ts) picks among them. A place outside the lists
 * is not found: the price of bounded work.
 */
export const PLACES_NAME_CANDIDATES = 50;
export const PLACES_NEAREST_CANDIDATES = 200;

const DAY_MS = 86_400_000;

/** The UTC day number of an instant (epoch ms): explore's per-day lists. */
export const exploreDay = (epochMs: number): number => Math.floor(epochMs / DAY_MS);

/** Refuses an explore cursor whose ranking instant or score no first page could have handed out. */
export const checkExploreCursor = (cursor: { nowMs: number; score: number }, serverNowMs: number): void => {
  const age = serverNowMs - cursor.nowMs;
  // Every score is positive: (1 + engagement) over a positive power of the age.
  if (!(cursor.score > 0) || age > EXPLORE_CURSOR_MAX_AGE_MS || age < -EXPLORE_CURSOR_MAX_SKEW_MS) throw new AppError('INVALID_CURSOR');
};
