import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../app/redis-client.js';
import { feedReadModel } from '../../projections/feed/feed-read-model.js';
import { createFeedReader, type FeedReader } from '../../projections/feed/feed-reader.js';
import { createRedisFeedStore } from '../../projections/feed/feed-store-redis.js';
import { newestFirst, type FeedEntry, type FeedStore } from '../../projections/feed/feed-store.js';
import { createTestDatabase } from '../support/test-database.js';
import { countingClient } from '../support/counting-redis.js';
import { createTestRedis, isRedisReachable, TEST_REDIS_URL, type TestRedis } from '../support/test-redis.js';

// The Redis home page's cost and its celebrity copy (docs/architecture.md "Feed"): on a single
// server, for a user who follows no pulled author, a page is the home script alone (the deleted
// markers and the celebrity version read in the same call); and the in-process copy of the
// celebrity hash is exact: a state written by another process (another client) is seen on the
// next read.
// Commands are counted through the client's sendCommand, round trips ("stages") as runs of
// commands sent with no reply received in between.

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const user = () => uuidv7();
const entries = (count: number, from = 0): FeedEntry[] => Array.from({ length: count }, (_, i) => ({ postId: uuidv7(), score: T0 + (from + i) * 1000 }));

describe.skipIf(!(await isRedisReachable()))('the Redis home page', () => {
  let redis: TestRedis;
  let counting: Awaited<ReturnType<typeof countingClient>>;
  let other: Redis;
  let stores = 0;
  beforeAll(async () => {
    redis = await createTestRedis();
    counting = await countingClient();
    other = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    counting.client.disconnect();
    other.disconnect();
    await redis.drop();
  });

  /** A reader's store (on the counting client) and a writer's (another client, another copy), over one prefix. */
  const stores2 = () => {
    const prefix = `${redis.prefix}${++stores}:`;
    const reading = createRedisFeedStore(counting.client, { prefix });
    return { reading, reader: createFeedReader(reading), writing: createRedisFeedStore(other, { prefix }) };
  };

  /** A user following one author, 30 entries in their feed, and a first page read (the script loaded, the celebrity copy read): the entries newest first. */
  const warmFeed = async (reader: FeedReader, writing: FeedStore) => {
    const [u, a] = [user(), user()];
    await writing.addFollow(u, a);
    const pushed = entries(30);
    await writing.pushToFeed(u, pushed);
    await reader.homePage(u, { limit: 20 });
    return { u, newest: [...pushed].sort(newestFirst) };
  };

  it('a first page for a user who follows no pulled author: one command (the script, with the marks, the deleted markers and the celebrity version)', async () => {
    const { reader, writing } = stores2();
    const [u, a, celeb] = [user(), user(), user()];
    await writing.addFollow(u, a);
    const pushed = entries(30);
    await writing.pushToFeed(u, pushed);
    await Promise.all([writing.addMark('liked', u, pushed[29]!.postId), writing.addMark('saved', u, pushed[28]!.postId)]);
    // Pulled authors exist, followed by others: the copy holds them, the user follows none.
    await writing.setCelebrityState(celeb, 'celebrity');
    await reader.homePage(u, { limit: 20 }); // loads the script and the copy

    let page: Awaited<ReturnType<typeof reader.homePage>> | undefined;
    const sent = await counting.during(async () => (page = await reader.homePage(u, { limit: 20 })));
    expect(sent).toEqual([{ name: 'evalsha', stage: 1 }]);
    const newest = [...pushed].sort(newestFirst).slice(0, 20);
    expect(page!.items.map((item) => item.postId)).toEqual(newest.map((entry) => entry.postId));
    expect(page!.items.slice(0, 3).map((item) => [item.likedByMe, item.bookmarkedByMe])).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ]);
    // The next page costs the same.
    const next = await counting.during(() => reader.homePage(u, { limit: 20, cursor: page!.nextCursor }));
    expect(next).toEqual([{ name: 'evalsha', stage: 1 }]);
  });

  // app/redis-client.ts: the process's client auto-pipelines every command but UNPIPELINED_COMMANDS.
  it("on the process's client the home script leaves at once, while other commands wait for the turn's auto-pipeline", async () => {
    const client = connectRedis({ redisUrl: TEST_REDIS_URL }) as Redis;
    try {
      const { writing } = stores2();
      const reading = createRedisFeedStore(client, { prefix: `${redis.prefix}${stores}:` });
      const { u } = await warmFeed(createFeedReader(reading), writing);
      const page = reading.homeWindow(u, { after: null, limit: 20 });
      expect(client.autoPipelineQueueSize).toBe(0);
      const other = client.get(`${redis.prefix}anything`);
      expect(client.autoPipelineQueueSize).toBe(1);
      await Promise.all([page, other]);
      expect((await page).entries).toHaveLength(20);
    } finally {
      client.disconnect();
    }
  });

  it('a deleted post is left out by the script\'s own markers, whatever the caller knows live, and the page refilled by the script again', async () => {
    const { reader, writing } = stores2();
    const { u, newest } = await warmFeed(reader, writing);
    const deleted = [newest[1]!.postId, newest[7]!.postId];
    await Promise.all(deleted.map((postId) => writing.markDeleted(postId)));

    let page: Awaited<ReturnType<typeof reader.homePage>> | undefined;
    const sent = await counting.during(async () => (page = await reader.homePage(u, { limit: 20, knownLive: () => true })));
    expect(sent).toEqual([
      { name: 'evalsha', stage: 1 },
      { name: 'evalsha', stage: 2 },
    ]);
    expect(page!.items.map((item) => item.postId)).toEqual(newest.filter((entry) => !deleted.includes(entry.postId)).slice(0, 20).map((entry) => entry.postId));
  });

  it('a window without deleted markers (a Cluster\'s): posts the caller knows to be live skip them; the others are read and a deleted one left out', async () => {
    const { reading, writing } = stores2();
    // The Cluster's answer: the markers' set is in another slot than the user's keys.
    const reader = createFeedReader({
      ...reading,
      homeWindow: async (...args) => {
        const { deleted: _answered, ...window } = await reading.homeWindow(...args);
        return window;
      },
    });
    const { u, newest } = await warmFeed(reader, writing);

    const all = await counting.during(() => reader.homePage(u, { limit: 20, knownLive: () => true }));
    expect(all.map((command) => command.name)).toEqual(['evalsha']);

    const deleted = newest[1]!.postId;
    await writing.markDeleted(deleted);
    const known = new Set(newest.slice(0, 20).map((entry) => entry.postId).filter((id) => id !== deleted));
    let checked: Awaited<ReturnType<typeof reader.homePage>> | undefined;
    const sent = await counting.during(async () => (checked = await reader.homePage(u, { limit: 20, knownLive: (postId) => known.has(postId) })));
    expect(sent.map((command) => `${command.stage}:${command.name}`)).toEqual(['1:evalsha', '2:smismember', '3:evalsha', '4:smismember']);
    expect(checked!.items.map((item) => item.postId)).toEqual(newest.filter((entry) => entry.postId !== deleted).slice(0, 20).map((entry) => entry.postId));
  });

  it('a user who follows a pulled author: their timeline in a second round trip, its posts’ marks beside the deleted markers', async () => {
    const { reader, writing } = stores2();
    const [u, celeb] = [user(), user()];
    await writing.addFollow(u, celeb);
    await writing.setCelebrityState(celeb, 'celebrity');
    const pulled = entries(5, 100);
    await Promise.all(pulled.map((entry) => writing.addToTimeline(celeb, entry)));
    await writing.pushToFeed(u, entries(5));
    await writing.addMark('liked', u, pulled[4]!.postId);
    await reader.homePage(u);

    let page: Awaited<ReturnType<typeof reader.homePage>> | undefined;
    const sent = await counting.during(async () => (page = await reader.homePage(u, { limit: 20 })));
    // The window's own entries come with their markers: only the pulled ones' are read (with their marks).
    expect(sent.map((command) => `${command.stage}:${command.name}`)).toEqual(['1:evalsha', '2:zrevrangebyscore', '3:smismember', '3:smismember', '3:smismember']);
    expect(page!.items).toHaveLength(10);
    expect(page!.items[0]).toEqual({ postId: pulled[4]!.postId, likedByMe: true, bookmarkedByMe: false });
  });

  it('the celebrity copy follows every change made by another process, and a write that changes nothing keeps it', async () => {
    const { reader, writing } = stores2();
    const [u, a] = [user(), user()];
    await writing.addFollow(u, a);
    const [older, newer] = entries(2);
    await writing.addToTimeline(a, older!);
    await writing.pushToFeed(u, [older!]);
    expect((await reader.homeFeed(u)).postIds).toEqual([older!.postId]);

    // Promoted elsewhere; their next post goes to their timeline only (feed-handlers.ts): this
    // reader must pull it at once.
    await writing.setCelebrityState(a, 'celebrity');
    await writing.addToTimeline(a, newer!);
    const refreshed = await counting.during(async () => expect((await reader.homeFeed(u)).postIds).toEqual([newer!.postId, older!.postId]));
    expect(refreshed.map((command) => command.name)).toContain('hgetall');
    // Read again: the copy is current, no re-read.
    const current = await counting.during(async () => expect((await reader.homeFeed(u)).postIds).toEqual([newer!.postId, older!.postId]));
    expect(current.map((command) => command.name)).not.toContain('hgetall');

    // Demoting still pulls; the same state written again is not a change.
    await writing.setCelebrityState(a, 'demoting');
    await writing.setCelebrityState(a, 'demoting');
    expect((await reader.homeFeed(u)).postIds).toEqual([newer!.postId, older!.postId]);
    const same = await counting.during(() => reader.homeFeed(u));
    expect(same.map((command) => command.name)).not.toContain('hgetall');

    // Cleared (the demotion pushed nothing here): no longer pulled.
    await writing.setCelebrityState(a, null);
    expect((await reader.homeFeed(u)).postIds).toEqual([older!.postId]);
    expect(await writing.celebrityStates([a])).toEqual(new Map());
  });

  it('the dump that replay verify compares holds the viewer marks, and not the celebrity hash’s version (a random id per write)', async () => {
    const db = await createTestDatabase();
    try {
      const redisPrefix = `${redis.prefix}${++stores}:`;
      const model = feedReadModel({ redis: other, celebrityThreshold: 3, chunkSize: 10 }).open({
        generation: 1,
        pool: db.pool,
        redisPrefix,
        elasticsearchPrefix: 'unused-',
        mode: 'rebuild',
      });
      const store = createRedisFeedStore(other, { prefix: redisPrefix });
      const [u, celeb, p] = [user(), user(), uuidv7()];
      await Promise.all([store.addMark('liked', u, p), store.addMark('saved', u, p), store.setCelebrityState(celeb, 'celebrity')]);
      const dump = await model.dump();
      expect(dump.get(`feed-liked:{${u}}`)).toBe(JSON.stringify([p]));
      expect(dump.get(`feed-saved:{${u}}`)).toBe(JSON.stringify([p]));
      expect(dump.get('feed-celebrities')).toBe(JSON.stringify([[celeb, 'celebrity']]));
      await store.setCelebrityState(celeb, null);
      expect((await model.dump()).has('feed-celebrities')).toBe(false);
    } finally {
      await db.drop();
    }
  });
});
