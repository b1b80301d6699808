// The feed read model's storage port (docs/architecture.md "Feed"), with a Redis and a PostgreSQL adapter
// beside it that pass one contract suite (test/integration/feed-store.contract.ts).
//
// It holds plain facts; the rules (who gets what, when) live in the projection and the reader:
// - each user's home feed: post ids scored by creation time, capped (800), newest kept, plus a
//   floor: the feed is complete only for scores above it (see FEED COMPLETENESS below);
// - each author's own timeline: all their live posts (deep), for backfill, celebrity pull, the
//   profile grid and reading past the cap;
// - follower and following sets (the feed keeps its own: projections are independent);
// - which authors are pulled at read time (celebrities), and which posts were deleted;
// - each user's viewer marks: the posts they like and the posts they bookmarked (set semantics:
//   the events of one (user, post) pair share a stream, so they are applied in log order and the
//   last one stands; see feed-handlers.ts);
// - hashtag follows (who follows which tag, both ways), each tag's timeline (every live post
//   created with the tag) and each tagged post's author and tags, in caption order.
//
// A post is WANTED in a user's feed when it is their own, its author is followed, or it was
// created with a hashtag the user follows (feed-handlers.ts `keepWanted`). Every removal (an
// unfollow of an author or of a tag, a stale fan-out or backfill) takes out only posts no reason
// wants any more, reading the other reasons after writing its own change.
//
// FEED COMPLETENESS. A user's pushed feed holds every post of the authors they follow whose
// score is above the feed's floor (null: everywhere), except posts of pulled authors. Whatever
// could break that raises the floor FIRST: trimming at the cap raises it to the highest score it
// removes, a backfill that could not push all of an author's posts raises it to the oldest one it
// pushed. Below the floor the reader merges the authors' own timelines instead, so raising the
// floor too far only costs reads, never correctness.
//
// Every write is idempotent (set semantics; a floor only rises), so a batch applied twice
// changes nothing. Scores are whole milliseconds (exact in a double).

export interface FeedEntry {
  postId: string;
  /** Creation time in whole milliseconds since the epoch. */
  score: number;
}

/** A keyset position in newest-first order: (score, postId), both descending. */
export interface FeedKey {
  score: number;
  postId: string;
}

export interface RangeQuery {
  /** Only entries strictly after this key in newest-first order (older, or as old with a smaller id). */
  after?: FeedKey | null;
  /** Only entries with at least this score. */
  minScore?: number | null;
  limit: number;
}

/**
 * A pulled author: 'celebrity' (too many followers to push to), or 'demoting' (below the threshold
 * again, their recent posts being pushed to followers; still pulled until that is done).
 */
export type CelebrityState = 'celebrity' | 'demoting';

/** What a viewer did to a post: liked it, bookmarked ("saved") it. */
export type MarkKind = 'liked' | 'saved';

/** A post in its author's timeline. */
export interface AuthoredEntry extends FeedEntry {
  authorId: string;
}

export interface Follow {
  followerId: string;
  followeeId: string;
}

/** A post created with hashtags, as the feed keeps it for the tags' followers. */
export interface TaggedPost extends AuthoredEntry {
  /** In caption order, each once (domain/post/caption.ts). */
  tags: readonly string[];
}

/** What the feed keeps of a tagged post. */
export interface PostTags {
  authorId: string;
  tags: string[];
}

/** A viewer mark set (`marked`) or taken away. */
export interface MarkChange {
  kind: MarkKind;
  userId: string;
  postId: string;
  marked: boolean;
}

/** Of some posts, those the viewer likes and those they bookmarked. */
export interface ViewerMarks {
  liked: Set<string>;
  saved: Set<string>;
}

/**
 * The first read of a home page (feed-reader.ts `homePage`), which the Redis adapter answers in one
 * script call (beside one HGET on a Cluster): the feed's floor as `feedFloor` answers it, the pushed
 * entries of `feed(userId, { after, minScore: floor + 1, limit })` (none when `after` is at or
 * below the floor), the viewer marks of those entries, and the pulled authors the user follows.
 */
export interface HomeWindow {
  floor: number | null;
  entries: FeedEntry[];
  /** Marks of `entries` only. */
  marks: ViewerMarks;
  /**
   * `deletedAmong(entries)`, when the adapter reads the deleted markers in the same call (a single
   * Redis server: the markers' set is in another Cluster slot than the user's keys); absent, the
   * reader asks deletedAmong.
   */
  deleted?: Set<string>;
  /** Followed authors in a pulled state ('celebrity' or 'demoting'). */
  pulled: string[];
  /** Whether the user follows any hashtag (then the reader marks `via` and reads tag timelines below the floor). */
  followsTags: boolean;
}

/** Posts that may leave one user's feed, each with its author and the hashtags it was created with. */
export interface UnwantedRemoval {
  userId: string;
  posts: readonly { postId: string; authorId: string; tags: readonly string[] }[];
}

export interface FeedStore {
  /** Home feeds keep at most this many entries (800 by default). */
  readonly feedCap: number;
  /** Creates tables/indexes; idempotent. */
  setup(): Promise<void>;
  /**
   * Resolves once what this store has written is held by the replicas its server has (each Redis
   * Cluster primary's: projections/runtime/redis-replicas.ts), so that a checkpoint or a Kafka
   * commit stored after it never runs ahead of writes a failover could lose. At once elsewhere.
   */
  replicated(): Promise<void>;

  // Author timelines, newest first.
  addToTimeline(authorId: string, entry: FeedEntry): Promise<void>;
  /** addToTimeline of each post, in as few round trips as the adapter can (a batch of the log). */
  addToTimelines(posts: readonly AuthoredEntry[]): Promise<void>;
  removeFromTimeline(authorId: string, postId: string): Promise<void>;
  /** One range per author, in the order of `authorIds`. */
  timelines(authorIds: readonly string[], range: RangeQuery): Promise<FeedEntry[][]>;

  // Deleted posts: never served, whatever a feed or timeline still holds.
  markDeleted(postId: string): Promise<void>;
  deletedAmong(postIds: readonly string[]): Promise<Set<string>>;

  // The follow graph, as the feed sees it.
  addFollow(followerId: string, followeeId: string): Promise<void>;
  /** addFollow of each follow, in as few round trips as the adapter can. */
  addFollows(follows: readonly Follow[]): Promise<void>;
  removeFollow(followerId: string, followeeId: string): Promise<void>;
  followerCount(userId: string): Promise<number>;
  /** followerCount of each user (every one of `userIds` is in the map). */
  followerCounts(userIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Every follower of each user, in one go (every one of `userIds` is in the map): for callers that
   * bound the total by the follower counts; followerChunks walks a single large set.
   */
  followersOf(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Every follower, in chunks of at most `chunkSize` (a follower may come twice; never missed). */
  followerChunks(userId: string, chunkSize: number): AsyncIterable<string[]>;
  /** Those of `candidateIds` who follow `userId` now. */
  followersAmong(userId: string, candidateIds: readonly string[]): Promise<Set<string>>;
  /** followersAmong of each query, in its order, in as few round trips as the adapter can. */
  followersAmongMany(queries: readonly { userId: string; candidateIds: readonly string[] }[]): Promise<Set<string>[]>;
  following(userId: string): Promise<string[]>;

  // Authors pulled at read time.
  celebrityStates(userIds: readonly string[]): Promise<Map<string, CelebrityState>>;
  setCelebrityState(userId: string, state: CelebrityState | null): Promise<void>;

  // Home feeds.
  /** Adds one post to many feeds, trimming each at the cap (raising its floor first). */
  pushToFeeds(userIds: readonly string[], entry: FeedEntry): Promise<void>;
  /** pushToFeeds of each post, in as few round trips as the adapter can (the fan-out of a batch). */
  pushToFeedsMany(posts: readonly { entry: FeedEntry; userIds: readonly string[] }[]): Promise<void>;
  /** Adds many posts to one feed (a backfill), trimming at the cap (raising the floor first). */
  pushToFeed(userId: string, entries: readonly FeedEntry[]): Promise<void>;
  /** pushToFeed of each feed, in as few round trips as the adapter can (the backfills of a batch). */
  pushToFeedMany(feeds: readonly { userId: string; entries: readonly FeedEntry[] }[]): Promise<void>;
  removeFromFeeds(userIds: readonly string[], postId: string): Promise<void>;
  removeFromFeed(userId: string, postIds: readonly string[]): Promise<void>;
  /**
   * Takes each post out of its user's feed unless the feed still wants it: the user's own, one by
   * an author the user follows (unless `byFollow` is false), or one created with a hashtag the
   * user follows (`tags`, the post's as created). The follows are read and the post removed in
   * ONE step (a script of the user's keys; one statement): a follow or hashtag follow whose push
   * lands between a separate read and removal would otherwise lose the post it brought.
   */
  removeUnwantedFromFeeds(removals: readonly UnwantedRemoval[], options: { byFollow: boolean }): Promise<void>;
  /** Newest first; at most feedCap entries exist. */
  feed(userId: string, range: RangeQuery): Promise<FeedEntry[]>;
  /** The lowest score the feed holds; null when empty. */
  oldestInFeed(userId: string): Promise<number | null>;
  /** The feed is complete only above this score; null when complete everywhere. */
  feedFloor(userId: string): Promise<number | null>;
  /** feedFloor of each user (every one of `userIds` is in the map), in as few round trips as the adapter can (the backfills of a batch). */
  feedFloors(userIds: readonly string[]): Promise<Map<string, number | null>>;
  /** Raises the floor to `score` unless it is already at or above it. */
  raiseFeedFloor(userId: string, score: number): Promise<void>;

  /** See HomeWindow: one page's start, in as few round trips as the adapter can. */
  homeWindow(userId: string, range: { after: FeedKey | null; limit: number }): Promise<HomeWindow>;

  // Viewer marks (likes, bookmarks), per user.
  addMark(kind: MarkKind, userId: string, postId: string): Promise<void>;
  removeMark(kind: MarkKind, userId: string, postId: string): Promise<void>;
  /** addMark or removeMark of each change; at most one change per (kind, user, post). */
  setMarks(changes: readonly MarkChange[]): Promise<void>;
  marksAmong(userId: string, postIds: readonly string[]): Promise<ViewerMarks>;

  // Hashtag follows and tag timelines.
  addTagFollow(userId: string, tag: string): Promise<void>;
  removeTagFollow(userId: string, tag: string): Promise<void>;
  /** The tags each user follows (every one of `userIds` is in the map). */
  followedTagsOf(userIds: readonly string[]): Promise<Map<string, string[]>>;
  /** Every follower of the tag, in chunks of at most `chunkSize` (a follower may come twice; never missed). */
  tagFollowerChunks(tag: string, chunkSize: number): AsyncIterable<string[]>;
  /** Of these tags, those with at least one follower now: a batch's posts walk only those tags' followers. */
  tagsWithFollowers(tags: readonly string[]): Promise<Set<string>>;
  /** Of each query's candidates, those who follow its tag now; in its order. */
  tagFollowersAmongMany(queries: readonly { tag: string; candidateIds: readonly string[] }[]): Promise<Set<string>[]>;
  /** Adds each post to the timeline of each of its tags, and records its author and tags. */
  addToTagTimelines(posts: readonly TaggedPost[]): Promise<void>;
  /** Takes the post out of its tags' timelines and forgets its tags (nothing when it has none). */
  removeFromTagTimelines(postId: string): Promise<void>;
  /** One range per tag, in the order of `tags`. */
  tagTimelines(tags: readonly string[], range: RangeQuery): Promise<FeedEntry[][]>;
  /** Of these posts, the tagged ones with their author and tags. */
  postTags(postIds: readonly string[]): Promise<Map<string, PostTags>>;

  // An erased account (docs/architecture.md "Account deletion").
  /**
   * Removes everything the feed keeps of the user: their home feed and its floor, their
   * timeline, their celebrity state, their follows both ways (from the other side's sets and
   * counts too), their viewer marks, their hashtag follows. Idempotent.
   */
  eraseUser(userId: string): Promise<void>;
}

export const DEFAULT_FEED_CAP = 800;

/** Newest-first order: is `entry` strictly after `key`? */
export const isAfter = (entry: FeedKey, key: FeedKey): boolean =>
  entry.score < key.score || (entry.score === key.score && entry.postId < key.postId);

/** Newest-first comparator on (score, postId). */
export const newestFirst = (a: FeedKey, b: FeedKey): number =>
  b.score - a.score || (a.postId < b.postId ? 1 : a.postId > b.postId ? -1 : 0);

export const assertScore = (score: number): void => {
  if (!Number.isSafeInteger(score)) throw new RangeError(`feed scores are whole milliseconds, got ${score}`);
};

/** No marks. */
export const noMarks = (): ViewerMarks => ({ liked: new Set(), saved: new Set() });
