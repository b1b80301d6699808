import fc from 'fast-check';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../events/index.js';
import { inProcessFanOut } from '../../../projections/feed/fan-out.js';
import { createFeedProjection } from '../../../projections/feed/feed-projection.js';
import { createFeedReader, type FeedReader } from '../../../projections/feed/feed-reader.js';
import { createPostgresFeedStore } from '../../../projections/feed/feed-store-postgres.js';
import { createRedisFeedStore } from '../../../projections/feed/feed-store-redis.js';
import { newestFirst, type FeedStore } from '../../../projections/feed/feed-store.js';
import { ensureCheckpointTable } from '../../../projections/runtime/checkpoints-postgres.js';
import type { Projection } from '../../../projections/runtime/projection.js';
import { allPages } from '../../support/all-pages.js';
import { applyEvents } from '../../support/projection-harness.js';
import { anyHistory, anyInterleaving, toRecordedEvents, type HistoryEvent, type IntentKind } from '../../support/history-arbitraries.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { createTestRedis, isRedisReachable, TEST_REDIS_URL, type TestRedis } from '../../support/test-redis.js';

// docs/architecture.md "Testing": for random valid histories, every home feed read through the reader equals a fold
// of the history: the live posts of the authors the user follows, plus their own, newest first;
// and each post of a home page is marked liked / bookmarked exactly when the pair's last like or
// bookmark event says so (the viewer marks, as the fold keeps them; so are marksAmong's answers);
// plus the live posts created with a hashtag the user follows, each marked `via` the first of its
// tags they follow unless it is their own or its author is followed (hashtag follows).
// The projection runs with a celebrity threshold of 3 (so authors get promoted and demoted),
// a cap and a backfill limit that are sometimes tiny (so trims, floors and reading past them
// happen), over an interleaving of the streams, as one or two instances splitting the streams
// between them, each crashing at a random write and resuming from its checkpoint; then the whole
// history is rebuilt into an empty store in one go, by a sole writer, and must read the same.
// FEED_RUNS=500 runs it longer than the suite's modest default.

const kinds: IntentKind[] = [
  'register',
  'follow',
  'unfollow',
  'approveRequest',
  'rejectRequest',
  'changePrivacy',
  'block',
  'unblock',
  'createPost',
  'deletePost',
  'like',
  'unlike',
  'bookmark',
  'unbookmark',
  'followHashtag',
  'unfollowHashtag',
  'tick',
];

// ---------------------------------------------------------------------------------------------
// The reference fold

interface Expected {
  users: string[];
  /** Per user: their home feed, newest first. */
  feeds: Map<string, string[]>;
  /** Per user: their own live posts, newest first. */
  timelines: Map<string, string[]>;
  /** Every post ever created. */
  postIds: string[];
  /** Per user: the posts they like and bookmarked now. */
  liked: Map<string, Set<string>>;
  saved: Map<string, Set<string>>;
  /** Per user: the posts of their feed a followed hashtag brought, with that tag. */
  via: Map<string, Map<string, string>>;
}

const fold = (history: readonly HistoryEvent[]): Expected => {
  const users: string[] = [];
  const following = new Map<string, Set<string>>();
  const posts = new Map<string, { postId: string; authorId: string; score: number; tags: string[] }>();
  const tagsFollowed = new Map<string, Set<string>>();
  const postIds: string[] = [];
  const liked = new Map<string, Set<string>>();
  const saved = new Map<string, Set<string>>();
  const mark = (marks: Map<string, Set<string>>, { userId, postId }: { userId: string; postId: string }, on: boolean) => {
    const set = marks.get(userId) ?? marks.set(userId, new Set()).get(userId)!;
    if (on) set.add(postId);
    else set.delete(postId);
  };
  for (const event of history) {
    switch (event.type) {
      case 'UserRegistered':
        users.push(event.data.userId);
        following.set(event.data.userId, new Set());
        tagsFollowed.set(event.data.userId, new Set());
        break;
      case 'HashtagFollowed':
        tagsFollowed.get(event.data.userId)!.add(event.data.tag);
        break;
      case 'HashtagUnfollowed':
        tagsFollowed.get(event.data.userId)!.delete(event.data.tag);
        break;
      case 'Followed':
        following.get(event.data.followerId)!.add(event.data.followeeId);
        break;
      case 'Unfollowed':
        following.get(event.data.followerId)!.delete(event.data.followeeId);
        break;
      case 'PostCreated':
        posts.set(event.data.postId, { postId: event.data.postId, authorId: event.data.authorId, score: Date.parse(event.data.createdAt), tags: event.data.hashtags });
        postIds.push(event.data.postId);
        break;
      case 'PostDeleted':
        posts.delete(event.data.postId);
        break;
      // A pair's last event stands.
      case 'Liked':
      case 'Unliked':
        mark(liked, event.data, event.type === 'Liked');
        break;
      case 'Bookmarked':
      case 'Unbookmarked':
        mark(saved, event.data, event.type === 'Bookmarked');
        break;
    }
  }
  const live = [...posts.values()].sort(newestFirst);
  const by = (authors: Set<string>) => live.filter((p) => authors.has(p.authorId)).map((p) => p.postId);
  const viaOf = (u: string, p: { authorId: string; tags: string[] }) =>
    p.authorId === u || following.get(u)!.has(p.authorId) ? undefined : p.tags.find((tag) => tagsFollowed.get(u)!.has(tag));
  const home = (u: string) => live.filter((p) => p.authorId === u || following.get(u)!.has(p.authorId) || viaOf(u, p) !== undefined).map((p) => p.postId);
  return {
    users,
    feeds: new Map(users.map((u) => [u, home(u)])),
    via: new Map(
      users.map((u) => [
        u,
        new Map(
          live.flatMap((p) => {
            const tag = viaOf(u, p);
            return tag === undefined ? [] : [[p.postId, tag] as const];
          }),
        ),
      ]),
    ),
    timelines: new Map(users.map((u) => [u, by(new Set([u]))])),
    postIds,
    liked: new Map(users.map((u) => [u, liked.get(u) ?? new Set()])),
    saved: new Map(users.map((u) => [u, saved.get(u) ?? new Set()])),
  };
};

// ---------------------------------------------------------------------------------------------
// Running the projection as the runtime would, with a crash

// Every method of the FeedStore port, as a write (it fails once the process has died) or a
// read. Classified here, so that a write added to the port cannot escape the crash: a dead
// process that kept writing through it would race its own restart (a CI failure).
const WRITES = new Set([
  'addToTimeline',
  'addToTimelines',
  'removeFromTimeline',
  'markDeleted',
  'addFollow',
  'addFollows',
  'removeFollow',
  'setCelebrityState',
  'pushToFeeds',
  'pushToFeedsMany',
  'pushToFeed',
  'pushToFeedMany',
  'removeFromFeeds',
  'removeFromFeed',
  'removeUnwantedFromFeeds',
  'raiseFeedFloor',
  'addMark',
  'removeMark',
  'setMarks',
  'addTagFollow',
  'removeTagFollow',
  'addToTagTimelines',
  'removeFromTagTimelines',
  'eraseUser',
]);
const READS = new Set([
  'setup',
  'replicated',
  'timelines',
  'deletedAmong',
  'followerCount',
  'followerCounts',
  'followersOf',
  'followerChunks',
  'followersAmong',
  'followersAmongMany',
  'following',
  'celebrityStates',
  'feed',
  'oldestInFeed',
  'feedFloor',
  'feedFloors',
  'homeWindow',
  'marksAmong',
  'followedTagsOf',
  'tagFollowerChunks',
  'tagsWithFollowers',
  'tagFollowersAmongMany',
  'tagTimelines',
  'postTags',
]);

/**
 * The store as a process that dies at its n-th write: that write and every later one fail.
 * `stopped` resolves once no call of the process is in flight any more: what a dead process had
 * sent has landed (or failed) before it restarts, as when its connections close.
 */
const dyingAt = (store: FeedStore, n: number): { store: FeedStore; stopped: () => Promise<void> } => {
  let writes = 0;
  const inFlight = new Set<Promise<unknown>>();
  // Async iterables (followerChunks) pass as they are: what they read is a read.
  const tracked = (call: () => unknown) => {
    const result = call();
    if (!(result instanceof Promise)) return result;
    inFlight.add(result);
    void result.finally(() => inFlight.delete(result)).catch(() => undefined);
    return result;
  };
  const dying = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      if (!WRITES.has(property) && !READS.has(property)) throw new Error(`FeedStore.${property} is neither a write nor a read of the crash harness: classify it`);
      const call = value as (...a: unknown[]) => unknown;
      if (!WRITES.has(property)) return (...args: unknown[]) => tracked(() => call.apply(target, args));
      return (...args: unknown[]) => (++writes >= n ? Promise.reject(new Error('crashed')) : tracked(() => call.apply(target, args)));
    },
  });
  const stopped = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return { store: dying, stopped };
};

/** `count` instances, each applying its share of the streams from its own checkpoint, all at once. */
const runInstances = (projections: readonly Projection[], log: readonly RecordedEvent[], key: string, batchSize: number) =>
  projections.map((projection, index) => {
    const partition = { index, count: projections.length };
    return applyEvents(projection, log, { batchSize, partition, checkpointKey: `${key}#${index}/${projections.length}` });
  });

/**
 * The instances of a process that dies at its n-th write, run until every one of them has
 * stopped: a dead process's instances all end with it (each at its next write, or at the end of
 * its share), so none is still writing when the process restarts.
 */
const runUntilCrash = async (process: ReturnType<typeof dyingAt>, projections: readonly Projection[], log: readonly RecordedEvent[], key: string, batchSize: number) => {
  const outcomes = await Promise.allSettled(runInstances(projections, log, key, batchSize));
  await process.stopped();
  for (const outcome of outcomes) if (outcome.status === 'rejected') expect((outcome.reason as Error).message).toBe('crashed');
};

const readAll = async (read: (cursor: string | null) => ReturnType<FeedReader['homeFeed']>) => {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await read(cursor);
    ids.push(...page.postIds);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
};

const expectReadsEqual = async (store: FeedStore, expected: Expected, pageSize: number) => {
  const reader = createFeedReader(store);
  for (const userId of expected.users) {
    const [liked, saved, via] = [expected.liked.get(userId)!, expected.saved.get(userId)!, expected.via.get(userId)!];
    expect(await readAll((cursor) => reader.homeFeed(userId, { cursor, limit: pageSize }))).toEqual(expected.feeds.get(userId));
    expect(await allPages((page) => reader.homePage(userId, page), pageSize)).toEqual(
      expected.feeds.get(userId)!.map((postId) => ({
        postId,
        likedByMe: liked.has(postId),
        bookmarkedByMe: saved.has(postId),
        ...(via.has(postId) && { via: via.get(postId) }),
      })),
    );
    expect(await reader.marksAmong(userId, expected.postIds)).toEqual({ liked, saved });
    expect(await readAll((cursor) => reader.userTimeline(userId, { cursor, limit: pageSize }))).toEqual(expected.timelines.get(userId));
    expect((await store.feed(userId, { limit: 10_000 })).length).toBeLessThanOrEqual(store.feedCap);
  }
};

// ---------------------------------------------------------------------------------------------

interface Adapter {
  newStore(feedCap: number): Promise<FeedStore>;
  checkpoints: pg.Pool;
}

const feedProperty = (adapter: () => Adapter, numRuns: number) =>
  it('every home feed read, with its viewer marks, equals the fold of the history, with instances split by stream, after a crash mid-batch and a resume, and after a full rebuild', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        anyHistory({ maxUsers: 6, kinds, maxIntents: 45 }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history))),
        fc.record({
          batchSize: fc.integer({ min: 1, max: 12 }),
          instances: fc.constantFrom(1, 2),
          feedCap: fc.constantFrom(2, 4, 800),
          backfillLimit: fc.constantFrom(1, 3, 100),
          crashAtWrite: fc.integer({ min: 1, max: 150 }),
          pageSize: fc.integer({ min: 1, max: 5 }),
        }),
        async ([history, interleaved], { batchSize, instances, feedCap, backfillLimit, crashAtWrite, pageSize }) => {
          const { checkpoints, newStore } = adapter();
          const expected = fold(history);
          const tunables = { celebrityThreshold: 3, backfillLimit, chunkSize: 2, concurrency: 4 };
          const key = `feed-property-${++run}-${Date.now()}`;
          const log = toRecordedEvents(interleaved);
          const projections = (store: FeedStore) => Array.from({ length: instances }, () => createFeedProjection({ store, checkpoints, ...tunables }));

          // The process running the instances dies at its n-th write; restarted, each instance
          // resumes from its own checkpoint.
          const store = await newStore(feedCap);
          const dead = dyingAt(store, crashAtWrite);
          await runUntilCrash(dead, projections(dead.store), log, key, batchSize);
          await Promise.all(runInstances(projections(store), log, key, batchSize));
          await expectReadsEqual(store, expected, pageSize);

          // The rebuild is the store's only writer, as a generation being built is (fan-out.ts `soleWriter`).
          const rebuilt = await newStore(feedCap);
          const soleWriter = createFeedProjection({ store: rebuilt, checkpoints, fanOut: inProcessFanOut(rebuilt, undefined, { soleWriter: true }), ...tunables });
          await Promise.all(runInstances([soleWriter], toRecordedEvents(history), `${key}-rebuild`, 1_000));
          await expectReadsEqual(rebuilt, expected, pageSize);
        },
      ),
      { numRuns, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH, endOnFailure: true } : {}) },
    );
  });

describe('feed projection (PostgreSQL)', () => {
  let db: TestDatabase;
  let stores = 0;
  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureCheckpointTable(db.pool);
  });
  afterAll(() => db.drop());

  // Two generations of tables (live, rebuilt), emptied for each run: a schema holding a set of
  // tables per run would outgrow the lock table when dropped.
  feedProperty(
    () => ({
      checkpoints: db.pool,
      newStore: async (feedCap) => {
        const tablePrefix = `feed${++stores % 2}_`;
        const store = createPostgresFeedStore(db.pool, { feedCap, tablePrefix });
        await store.setup();
        const tables = ['items', 'meta', 'timelines', 'follows', 'follower_counts', 'celebrities', 'deleted_posts', 'marks', 'tag_follows', 'tag_timelines', 'post_tags'];
        await db.pool.query(`truncate ${tables.map((table) => tablePrefix + table).join(', ')}`);
        return store;
      },
    }),
    Number(process.env.FEED_RUNS ?? 30),
  );
});

describe.skipIf(!(await isRedisReachable()))('feed projection (Redis)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let client: Redis;
  let stores = 0;
  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
    client = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
    await ensureCheckpointTable(db.pool);
  });
  afterAll(async () => {
    client.disconnect();
    await Promise.all([redis.drop(), db.drop()]);
  });

  feedProperty(
    () => ({
      checkpoints: db.pool,
      newStore: async (feedCap) => createRedisFeedStore(client, { feedCap, prefix: `${redis.prefix}${++stores}:` }),
    }),
    Number(process.env.FEED_RUNS ?? 40),
  );
});
