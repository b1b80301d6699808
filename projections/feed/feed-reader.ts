import { decodeFeedCursor, encodeFeedCursor } from './feed-cursor.js';
import { type FeedEntry, type FeedKey, type FeedStore, type ViewerMarks } from './feed-store.js';
import { furthest, justAbove, mergeNewest } from './newest-first.js';

// Reading home feeds (docs/architecture.md "Projections"): newest first by (score, postId), in keyset pages.
//
// A home feed is, by definition, the posts of the authors the user follows plus their own,
// minus deleted ones. Above the feed's floor that is the pushed feed merged with the timelines
// of the pulled (celebrity) authors the user follows; at or below the floor (past the cap, or
// past what a backfill copied) it is the merge of the timelines of every followed author and
// the user's own, so the feed never "runs out". Deleted posts are filtered out on every read.
//
// Each slice of a home page starts with the store's HomeWindow (one script call on a single Redis;
// on a Cluster the script and one HGET, the HGET shared by the pages of one pipelined write: the
// floor, the pushed entries above it with their viewer marks, the pulled authors followed); the
// pulled timelines, the timelines below the floor and the marks of entries from them are read only
// when needed, and the deleted markers the window did not answer (with those marks) in the next
// round trip. So for a user who follows no pulled author, a first page is 1 Redis command on one
// server, and 2 round trips (3 commands) on a Cluster unless the caller knows the posts live.

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** The most homeCandidates reads at once: a bound on one request's work whatever its caller asks. */
export const MAX_CANDIDATES = 1_000;

export interface FeedPageRequest {
  /** From a previous page's nextCursor; absent for the first page. */
  cursor?: string | null;
  /** Default 20, at most 100. */
  limit?: number;
  /**
   * Posts the caller knows to be live now (the API's card cache, over the profiles read model):
   * their deleted markers need not be read. When it knows every entry of a slice, the slice costs
   * no round trip for the markers.
   */
  knownLive?: (postId: string) => boolean;
}

export interface FeedPage {
  postIds: string[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface HomeItem {
  postId: string;
  likedByMe: boolean;
  bookmarkedByMe: boolean;
  /**
   * The followed hashtag that brought the post (the first of its tags, in caption order, the
   * viewer follows); absent when the post is the viewer's own or its author is followed.
   */
  via?: string;
}

export interface HomePage {
  items: HomeItem[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface FeedReader {
  homeFeed(userId: string, request?: FeedPageRequest): Promise<FeedPage>;
  /** homeFeed's page, each post with the viewer's marks. */
  homePage(userId: string, request?: FeedPageRequest): Promise<HomePage>;
  /**
   * The first `count` items of the home feed (at most MAX_CANDIDATES), by the same reading as
   * homePage: the ranked home feed's candidates (projections/feed/ranking.ts).
   */
  homeCandidates(userId: string, count: number, request?: Pick<FeedPageRequest, 'knownLive'>): Promise<HomeItem[]>;
  /** Of these posts, those the viewer likes and bookmarked (the post page's marks). */
  marksAmong(userId: string, postIds: readonly string[]): Promise<ViewerMarks>;
  /** Of these posts, those a followed hashtag brought, each with that tag (HomeItem's `via`; the ranked feed's later pages). */
  viaAmong(userId: string, postIds: readonly string[]): Promise<Map<string, string>>;
  /** One author's posts, newest first (the profile grid). */
  userTimeline(authorId: string, request?: FeedPageRequest): Promise<FeedPage>;
}

/** Up to `want` entries strictly after `after`, newest first; fewer only when there are no more. */
type Source = (after: FeedKey | null, want: number) => Promise<FeedEntry[]>;

const pageSize = (limit: number | undefined): number =>
  Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(Number.isFinite(limit) ? limit! : DEFAULT_PAGE_SIZE)));

/** Deleted markers a source already read with its entries (a window's: HomeWindow `deleted`). */
interface KnownDeleted {
  /** Of a slice's entries, those whose marker no read answered (none when the slice is one window's entries as they came). */
  unchecked(entries: readonly FeedEntry[]): readonly FeedEntry[];
  /** Whether an entry some read answered for is deleted. */
  deleted(postId: string): boolean;
}

/** The page's entries (one more tells whether another page follows), with the deleted ones dropped and refilled. */
const readEntries = async (
  store: FeedStore,
  source: Source,
  request: FeedPageRequest,
  /** Beside each slice's deleted markers, in the same round trip (nothing to wait for: undefined). */
  alongside: (entries: FeedEntry[]) => Promise<void> | undefined = () => undefined,
  limit = pageSize(request.limit),
  known?: KnownDeleted,
): Promise<{ page: FeedEntry[]; nextCursor: string | null }> => {
  let after = request.cursor ? decodeFeedCursor(request.cursor) : null;
  const kept: FeedEntry[] = [];
  while (kept.length <= limit) {
    const want = limit + 1 - kept.length;
    const entries = await source(after, want);
    const { knownLive } = request;
    const unchecked = known ? known.unchecked(entries) : entries;
    const unknown = (knownLive ? unchecked.filter((entry) => !knownLive(entry.postId)) : unchecked).map((entry) => entry.postId);
    // Every marker answered by the window, or every entry known live (the warm page): none to read.
    const reading = unknown.length === 0 ? null : store.deletedAmong(unknown);
    const beside = alongside(entries);
    // Awaited together (a failure of one leaves no rejection of the other unhandled); alone, no Promise.all.
    const deleted = beside ? (await Promise.all([reading, beside]))[0] : reading && (await reading);
    for (const entry of entries) if (!deleted?.has(entry.postId) && !known?.deleted(entry.postId)) kept.push(entry);
    if (entries.length < want) break;
    after = entries.at(-1)!;
  }
  const page = kept.slice(0, limit);
  return { page, nextCursor: kept.length > limit ? encodeFeedCursor(page.at(-1)!) : null };
};

const readPage = async (store: FeedStore, source: Source, request: FeedPageRequest, known?: KnownDeleted): Promise<FeedPage> => {
  const { page, nextCursor } = await readEntries(store, source, request, undefined, undefined, known);
  return { postIds: page.map((entry) => entry.postId), nextCursor };
};

/**
 * What a home page learnt of the viewer's marks, and of deleted markers: each answer as it came (a
 * window's, or the marks read for entries from elsewhere), with the entries it covers. Kept as
 * given, not copied into one set: a warm page has one window, whose answer then serves every item
 * as it is.
 */
class KnownMarks implements KnownDeleted {
  private readonly answers: { entries: readonly FeedEntry[]; marks: ViewerMarks; deleted: ReadonlySet<string> | undefined }[] = [];
  private ids: Set<string> | null = null;
  private checkedIds: Set<string> | null = null;

  learn(entries: readonly FeedEntry[], marks: ViewerMarks, deleted?: ReadonlySet<string>): void {
    this.answers.push({ entries, marks, deleted });
    if (this.ids) for (const { postId } of entries) this.ids.add(postId);
    if (this.checkedIds && deleted) for (const { postId } of entries) this.checkedIds.add(postId);
  }

  unchecked(entries: readonly FeedEntry[]): readonly FeedEntry[] {
    if (this.answers.some((answer) => answer.entries === entries && answer.deleted)) return [];
    if (!this.checkedIds) {
      this.checkedIds = new Set();
      for (const answer of this.answers) if (answer.deleted) for (const { postId } of answer.entries) this.checkedIds.add(postId);
    }
    const ids = this.checkedIds;
    return ids.size === 0 ? entries : entries.filter((entry) => !ids.has(entry.postId));
  }

  // Plain loops: these three run per entry of a page (a closure each would be garbage per call).
  // An empty set (a warm page's markers, most viewers' marks) is not asked: the call is per entry.
  deleted(postId: string): boolean {
    for (const answer of this.answers) if (answer.deleted !== undefined && answer.deleted.size > 0 && answer.deleted.has(postId)) return true;
    return false;
  }

  /** Of a slice's entries, those no answer covers (none when the slice is one window's entries as they came). */
  unknown(entries: readonly FeedEntry[]): FeedEntry[] {
    if (this.answers.some((answer) => answer.entries === entries)) return [];
    if (!this.ids) {
      this.ids = new Set();
      for (const answer of this.answers) for (const { postId } of answer.entries) this.ids.add(postId);
    }
    const ids = this.ids;
    return entries.filter((entry) => !ids.has(entry.postId));
  }

  liked(postId: string): boolean {
    for (const answer of this.answers) if (answer.marks.liked.size > 0 && answer.marks.liked.has(postId)) return true;
    return false;
  }

  saved(postId: string): boolean {
    for (const answer of this.answers) if (answer.marks.saved.size > 0 && answer.marks.saved.has(postId)) return true;
    return false;
  }
}

/**
 * The home feed's source; `marks` learns the viewer marks the store's windows answered with, and
 * `tags` whether the user follows any hashtag.
 */
const homeSource = (store: FeedStore, userId: string, marks: KnownMarks, tags: { follows: boolean } = { follows: false }): Source => {
  let following: Promise<string[]> | null = null;
  let followedTags: Promise<string[]> | null = null;
  return async (after, want) => {
    const { floor, entries, marks: found, deleted, pulled, followsTags } = await store.homeWindow(userId, { after, limit: want });
    tags.follows ||= followsTags;
    marks.learn(entries, found, deleted);
    let above: FeedEntry[] = [];
    if (floor === null || after === null || after.score > floor) {
      // With no pulled author the window's entries are the slice above the floor as they are (newest first, at most `want`).
      if (pulled.length === 0) above = entries;
      else {
        const range = { after, minScore: floor === null ? null : floor + 1, limit: want };
        above = mergeNewest([entries, ...(await store.timelines(pulled, range))], want);
      }
      if (above.length === want || floor === null) return above;
    }
    const rest = want - above.length;
    following ??= store.following(userId);
    // Below the floor the feed is the merge of what each reason brings: the user's own and
    // followed authors' timelines, and the timelines of the tags they follow.
    followedTags ??= followsTags ? store.followedTagsOf([userId]).then((of) => of.get(userId)!) : Promise.resolve([]);
    const range = { after: furthest(after, justAbove(floor!)), limit: rest };
    const [below, belowTags] = await Promise.all([
      following.then((ids) => store.timelines([userId, ...ids], range)),
      followedTags.then((tags) => store.tagTimelines(tags, range)),
    ]);
    return [...above, ...mergeNewest([...below, ...belowTags], rest)];
  };
};

/**
 * Of these posts, those a followed hashtag brought into the user's feed, each with the first of
 * its tags (caption order) the user follows: not the user's own, not by an author they follow.
 * Two round trips: the posts' tags, then the follows of their authors beside the user's tags.
 */
const viaAmong = async (store: FeedStore, userId: string, postIds: readonly string[]): Promise<Map<string, string>> => {
  const via = new Map<string, string>();
  const tagged = [...(await store.postTags(postIds))].filter(([, { authorId }]) => authorId !== userId);
  if (tagged.length === 0) return via;
  const authors = [...new Set(tagged.map(([, { authorId }]) => authorId))];
  const [follows, tagsOf] = await Promise.all([
    store.followersAmongMany(authors.map((authorId) => ({ userId: authorId, candidateIds: [userId] }))),
    store.followedTagsOf([userId]),
  ]);
  const followedAuthors = new Set(authors.filter((_, i) => follows[i]!.has(userId)));
  const followedTags = new Set(tagsOf.get(userId));
  for (const [postId, { authorId, tags }] of tagged) {
    const tag = followedAuthors.has(authorId) ? undefined : tags.find((t) => followedTags.has(t));
    if (tag !== undefined) via.set(postId, tag);
  }
  return via;
};

/** The page of a user who follows no hashtag: no post came by one. */
const NO_VIA: ReadonlyMap<string, string> = new Map();

const homePage = async (store: FeedStore, userId: string, request: FeedPageRequest, limit = pageSize(request.limit)): Promise<HomePage> => {
  const marks = new KnownMarks();
  const tags = { follows: false };
  // The windows answered the pushed entries' marks; those of pulled ones come beside the deleted markers.
  const { page, nextCursor } = await readEntries(
    store,
    homeSource(store, userId, marks, tags),
    request,
    (entries) => {
      const unknown = marks.unknown(entries);
      if (unknown.length > 0) return store.marksAmong(userId, unknown.map((entry) => entry.postId)).then((found) => marks.learn(unknown, found));
    },
    limit,
    marks,
  );
  // Only for a user who follows a hashtag: everyone else's page costs nothing more.
  const via = tags.follows ? await viaAmong(store, userId, page.map((entry) => entry.postId)) : NO_VIA;
  return {
    // Two literals rather than a conditional spread, which copies each item's properties one by one.
    items: page.map(({ postId }) => {
      const tag = via.size === 0 ? undefined : via.get(postId);
      const likedByMe = marks.liked(postId);
      const bookmarkedByMe = marks.saved(postId);
      return tag === undefined ? { postId, likedByMe, bookmarkedByMe } : { postId, likedByMe, bookmarkedByMe, via: tag };
    }),
    nextCursor,
  };
};

export const createFeedReader = (store: FeedStore): FeedReader => ({
  homeFeed: (userId, request = {}) => {
    const known = new KnownMarks();
    return readPage(store, homeSource(store, userId, known), request, known);
  },
  homePage: (userId, request = {}) => homePage(store, userId, request),
  homeCandidates: async (userId, count, { knownLive } = {}) =>
    (await homePage(store, userId, knownLive ? { knownLive } : {}, Math.min(MAX_CANDIDATES, Math.max(1, Math.trunc(count))))).items,
  marksAmong: (userId, postIds) => store.marksAmong(userId, postIds),
  viaAmong: (userId, postIds) => viaAmong(store, userId, postIds),
  userTimeline: (authorId, request = {}) =>
    readPage(store, async (after, want) => (await store.timelines([authorId], { after, limit: want }))[0] ?? [], request),
});
