import type { Client, estypes } from '@elastic/elasticsearch';
import { toKeyedPage, type Page, type PageRequest } from '../../runtime/page.js';
import { EXPLORE_WINDOW_DAYS, explorePage, exploreScore } from '../explore-score.js';
import type { SearchIndexes } from './indexes.js';
import { EXPLORE_MAX_SCANNED } from '../query-bounds.js';
import { HIDDEN } from './search-posts.js';

// Explore in Elasticsearch. The score (explore-score.ts) is a power of 1.5 of the age, which
// function_score cannot express without scripts (and this cluster has none), so it is computed
// in Node, EXACTLY, with Fagin's threshold algorithm over two sorted lists of the window's live
// posts: most engaged first, and newest first. The score rises with engagement and falls with
// age, so a post seen in neither list yet has at most the engagement of the last post read from
// the first and at least the age of the last post read from the second; once enough posts beat
// that bound, no unseen post can enter the page, and reading stops. Popular or fresh posts are
// found within the first chunks; a long tail of old, quiet posts is never read.
//
// Deep pages scan everything ranked above them; past EXPLORE_MAX_SCANNED posts (query-bounds.ts)
// a page is cut from the best posts seen so far (approximate, and only ever that deep), so no
// cursor, a forged one with a tiny score included, makes a request read more.
//
// Cursor [now, score, id]: later pages rank at the first page's instant and continue after the
// last post shown. Likes arriving between pages can still move a post across the cut.

/** Posts read from each list in the first round; every further round reads twice as many, up to what EXPLORE_MAX_SCANNED leaves. */
const FIRST_CHUNK = 200;

interface Scored {
  id: string;
  score: number;
}

interface SortedList {
  /** Both lists sort on engagement and creation time (in their own order), so the sort values carry both. */
  sort: estypes.Sort;
  /** Where engagement and creation time sit in the sort values. */
  engagementAt: number;
  createdAtAt: number;
  after?: estypes.SortResults;
  done: boolean;
  /** Sort values of the last post read, for the bound. */
  last?: (string | number)[];
}

/** Sorted by score, best first, ties by id descending (as every adapter breaks them). */
const bestFirst = (a: Scored, b: Scored) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export const exploreElasticsearch = async (
  client: Client,
  indexes: SearchIndexes,
  now: Date,
  request: PageRequest,
  windowDays: number = EXPLORE_WINDOW_DAYS,
): Promise<Page<string>> => {
  const { limit, after, nowMs, sinceMs: since } = explorePage(request, now, windowDays);
  const window: estypes.QueryDslQueryContainer = {
    bool: { filter: [{ term: { live: true } }, { range: { createdAt: { gt: since, format: 'epoch_millis' } } }], must_not: [HIDDEN] },
  };
  const isAfterCursor = (post: Scored) => after === null || post.score < after.score || (post.score === after.score && post.id < after.id);

  const engaged: SortedList = { sort: [{ engagement: 'desc' }, { createdAt: 'desc' }, { id: 'desc' }], engagementAt: 0, createdAtAt: 1, done: false };
  const newest: SortedList = { sort: [{ createdAt: 'desc' }, { engagement: 'desc' }, { id: 'desc' }], engagementAt: 1, createdAtAt: 0, done: false };
  const seen = new Map<string, number>();

  const read = async (list: SortedList, size: number) => {
    const response = await client.search({
      index: indexes.posts.alias,
      size,
      query: window,
      sort: list.sort,
      // The sort values are all the score needs: nothing else is fetched.
      _source: false,
      track_total_hits: false,
      ...(list.after ? { search_after: list.after } : {}),
    });
    const hits = response.hits.hits;
    for (const hit of hits) {
      const values = hit.sort as number[];
      // The stored engagement is likes + 2 x comments (explore-score.ts), the count the score weighs.
      seen.set(hit._id!, exploreScore({ likes: values[list.engagementAt]!, comments: 0 }, values[list.createdAtAt]!, nowMs));
    }
    list.done = hits.length < size;
    list.after = hits.at(-1)?.sort ?? list.after;
    list.last = (hits.at(-1)?.sort as (string | number)[] | undefined) ?? list.last;
  };

  let scanned = 0;
  for (let size = FIRST_CHUNK; ; size = Math.min(size * 2, Math.floor((EXPLORE_MAX_SCANNED - scanned) / 2))) {
    await Promise.all([read(engaged, size), read(newest, size)]);
    scanned += 2 * size;
    const candidates = [...seen].map(([id, score]) => ({ id, score })).filter(isAfterCursor).sort(bestFirst);
    // Either list read to its end means every post of the window has been seen.
    if (engaged.done || newest.done || scanned + 2 * FIRST_CHUNK > EXPLORE_MAX_SCANNED) return toKeyedPage(candidates, limit, (p) => [nowMs, p.score, p.id], (p) => p.id);
    const maxEngagement = Number(engaged.last![engaged.engagementAt]);
    const newestCreatedAt = Number(newest.last![newest.createdAtAt]);
    // The best an unseen post can score: the most engagement left at the least age left.
    const bound = exploreScore({ likes: maxEngagement, comments: 0 }, newestCreatedAt, nowMs);
    // Strictly above the bound: an unseen post scoring exactly the bound could still win on its id.
    const cut = candidates[limit];
    if (cut !== undefined && cut.score > bound) return toKeyedPage(candidates, limit, (p) => [nowMs, p.score, p.id], (p) => p.id);
  }
};
