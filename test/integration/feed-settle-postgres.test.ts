import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_SETTLE_PAST, FEED_TRIM_EVERY, settlesOn } from '../../projections/feed/feed-options.js';
import { createPostgresFeedStore } from '../../projections/feed/feed-store-postgres.js';
import type { FeedEntry } from '../../projections/feed/feed-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The PostgreSQL feed's amortized trim (feed-store-postgres.ts, FEED_TRIM_EVERY and
// FEED_SETTLE_PAST in feed-options.ts): a fan-out push settles the feeds settlesOn chooses, and
// any it leaves more than FEED_SETTLE_PAST past the cap. The feed contract (feed-store.test.ts)
// checks what reads answer; this checks the rows the writes leave behind, which reads do not
// show: entries past the cap, hidden until a settle, whose number bounds what finding the cut costs.

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const CAP = 10;
const users = (count: number) => Array.from({ length: count }, () => uuidv7());
const entries = (count: number, from: number): FeedEntry[] => Array.from({ length: count }, (_, i) => ({ postId: uuidv7(), score: T0 + (from + i) * 1000 }));

describe('the PostgreSQL feed past its cap', () => {
  let db: TestDatabase;
  let stores = 0;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  const newStore = async () => {
    const tablePrefix = `settle${++stores}_`;
    const store = createPostgresFeedStore(db.pool, { tablePrefix, feedCap: CAP });
    await store.setup();
    /** Each feed's rows, hidden ones included. */
    const rowsOf = async (userIds: readonly string[]) => {
      const { rows } = await db.pool.query<{ user_id: string; n: number }>(
        `select user_id, count(*)::int as n from ${tablePrefix}items where user_id = any($1::text[]) group by user_id`,
        [userIds],
      );
      const counts = new Map(rows.map((row) => [row.user_id, row.n]));
      return userIds.map((userId) => counts.get(userId) ?? 0);
    };
    return { store, rowsOf };
  };

  it('settles as it pushes: feeds at the cap, pushed 64 posts each, hold on average fewer than 2 × FEED_TRIM_EVERY entries past it, and read no more than it', async () => {
    const { store, rowsOf } = await newStore();
    const followers = users(200);
    await store.pushToFeedMany(followers.map((userId) => ({ userId, entries: entries(CAP, -1_000) })));
    expect(await rowsOf(followers)).toEqual(followers.map(() => CAP));
    const posts = entries(64, 0);
    for (const post of posts) await store.pushToFeeds(followers, post);
    const left = await rowsOf(followers);
    // Trimmed at every push, each would hold the cap; never settled, 64 past it; settled one push in 16, about 15.
    const pastTheCap = left.reduce((sum, n) => sum + n - CAP, 0) / followers.length;
    expect(pastTheCap).toBeGreaterThan(0);
    expect(pastTheCap).toBeLessThan(2 * FEED_TRIM_EVERY);
    const feeds = await Promise.all(followers.map((userId) => store.feed(userId, { limit: CAP + 1 })));
    expect(feeds.every((feed) => feed.length === CAP && feed[0]!.postId === posts.at(-1)!.postId)).toBe(true);
  });

  it('a feed no push chooses to settle never holds more than FEED_SETTLE_PAST entries past the cap; a backfill and a removal settle it', async () => {
    const { store, rowsOf } = await newStore();
    const u = uuidv7();
    const unchosen = entries(CAP + 3 * FEED_SETTLE_PAST, 0).map((entry) => {
      let postId = entry.postId;
      while (settlesOn(postId)(u)) postId = uuidv7();
      return { ...entry, postId };
    });
    let most = 0;
    for (const entry of unchosen) {
      await store.pushToFeeds([u], entry);
      most = Math.max(most, (await rowsOf([u]))[0]!);
    }
    // Settled only by the bound: it reached the bound, and never passed it.
    expect(most).toBe(CAP + FEED_SETTLE_PAST);
    expect((await rowsOf([u]))[0]!).toBeGreaterThan(CAP);
    await store.removeFromFeed(u, [unchosen.at(-1)!.postId]);
    expect(await rowsOf([u])).toEqual([CAP - 1]);
    await store.pushToFeeds([u], entries(1, 10_000)[0]!);
    await store.pushToFeed(u, entries(2, 10_001));
    expect(await rowsOf([u])).toEqual([CAP]);
  });
});
