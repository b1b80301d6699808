import fc from 'fast-check';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, RecordedEvent } from '../../events/index.js';
import { deliverFanOutChunk } from '../../projections/feed/fan-out.js';
import { FEED_SETTLE_PAST, settlesOn, type FeedTunables } from '../../projections/feed/feed-options.js';
import { createFeedProjection } from '../../projections/feed/feed-projection.js';
import { ensureCheckpointTable } from '../../projections/runtime/checkpoints-postgres.js';
import { createFeedReader, type FeedPage, type FeedReader, type HomeItem, type HomePage } from '../../projections/feed/feed-reader.js';
import { newestFirst, type CelebrityState, type FeedEntry, type FeedStore } from '../../projections/feed/feed-store.js';
import { allPages } from '../support/all-pages.js';
import { syntheticPosition } from '../support/history-arbitraries.js';
import { feedSettings } from '../support/settings.js';

// The one contract every FeedStore adapter passes (docs/architecture.md "Feed" and "Testing"): the store's own
// guarantees, and the feed's rules as the projection and the reader build them on top of it.
// Each test works in a fresh, empty store of its own.

export interface FeedStoreHarness {
  /** A fresh, empty, set-up store that no other test shares. */
  newStore(options?: { feedCap?: number }): Promise<FeedStore>;
  /** PostgreSQL, for the projection's checkpoints. */
  checkpoints: pg.Pool;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Events and a small world to play them in

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const user = () => uuidv7();

type Posted = DomainEvent & { type: 'PostCreated' };
const post = (authorId: string, ms: number): Posted => ({
  type: 'PostCreated',
  data: { postId: uuidv7(), authorId, caption: '', hashtags: [], mentions: [], media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: at(ms) },
});
/** A post created with these hashtags (as a caption's, normalised). */
const tagged = (authorId: string, ms: number, hashtags: string[]): Posted => {
  const p = post(authorId, ms);
  return { ...p, data: { ...p.data, caption: hashtags.map((tag) => `#${tag}`).join(' '), hashtags } };
};
const tagFollowed = (userId: string, tag: string): DomainEvent => ({ type: 'HashtagFollowed', data: { userId, tag, followedAt: at(0) } });
const tagUnfollowed = (userId: string, tag: string): DomainEvent => ({ type: 'HashtagUnfollowed', data: { userId, tag } });
const followed = (followerId: string, followeeId: string): DomainEvent => ({
  type: 'Followed',
  data: { followerId, followeeId, followedAt: at(0) },
});
const unfollowed = (followerId: string, followeeId: string): DomainEvent => ({
  type: 'Unfollowed',
  data: { followerId, followeeId, reason: 'unfollowed' },
});
const blocked = (blockerId: string, blockedId: string): DomainEvent => ({ type: 'Blocked', data: { blockerId, blockedId, blockedAt: at(0) } });
const deleted = (p: Posted): DomainEvent => ({ type: 'PostDeleted', data: { postId: p.data.postId, authorId: p.data.authorId, deletedAt: at(0) } });
const erasedFollow = (followerId: string, followeeId: string): DomainEvent => ({
  type: 'Unfollowed',
  data: { followerId, followeeId, reason: 'account-erased' },
});
const erased = (userId: string): DomainEvent => ({ type: 'AccountErased', data: { userId, erasedAt: at(0) } });
const liked = (userId: string, p: Posted): DomainEvent => ({
  type: 'Liked',
  data: { postId: p.data.postId, userId, postAuthorId: p.data.authorId, likedAt: at(0) },
});
const unliked = (userId: string, p: Posted): DomainEvent => ({ type: 'Unliked', data: { postId: p.data.postId, userId } });
const bookmarked = (userId: string, p: Posted): DomainEvent => ({ type: 'Bookmarked', data: { userId, postId: p.data.postId, bookmarkedAt: at(0) } });
const unbookmarked = (userId: string, p: Posted): DomainEvent => ({ type: 'Unbookmarked', data: { userId, postId: p.data.postId } });

const streamOf = (event: DomainEvent): string => {
  switch (event.type) {
    case 'PostCreated':
    case 'PostDeleted':
      return `post-${event.data.postId}`;
    case 'Followed':
    case 'Unfollowed':
      return `follow-${event.data.followerId}-${event.data.followeeId}`;
    case 'Blocked':
      return `block-${event.data.blockerId}-${event.data.blockedId}`;
    case 'AccountErased':
      return `user-${event.data.userId}`;
    case 'HashtagFollowed':
    case 'HashtagUnfollowed':
      return `hashtagfollow-${event.data.userId}-${event.data.tag}`;
    case 'Liked':
    case 'Unliked':
      return `like-${event.data.postId}-${event.data.userId}`;
    case 'Bookmarked':
    case 'Unbookmarked':
      return `bookmark-${event.data.userId}-${event.data.postId}`;
    default:
      return `other-${event.type}`;
  }
};

const entryOf = (p: Posted): FeedEntry => ({ postId: p.data.postId, score: Date.parse(p.data.createdAt) });
const idsNewestFirst = (posts: readonly Posted[]) => posts.map(entryOf).sort(newestFirst).map((entry) => entry.postId);

interface World {
  store: FeedStore;
  reader: FeedReader;
  /** Applies the events as one batch (in the given order within each stream). */
  apply(...events: DomainEvent[]): Promise<void>;
  /** Every page of a user's home feed, concatenated (and checks that homePage pages the same). */
  readAll(userId: string, pageSize?: number): Promise<string[]>;
  /** Every page of homePage, concatenated. */
  readItems(userId: string, pageSize?: number): Promise<HomeItem[]>;
  feedIds(userId: string): Promise<string[]>;
}

let positions = 0;

/** `event` as the log hands it to the projection: in its stream at `streamRevision`, at the synthetic position `position`. */
const recorded = (event: DomainEvent, streamRevision: number, position: number): RecordedEvent => ({
  eventId: uuidv7(),
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: at(0) },
  streamId: streamOf(event),
  streamRevision,
  position: syntheticPosition(position),
  recordedAt: at(0),
});

const worldOf = (store: FeedStore, checkpoints: pg.Pool, tunables: Partial<FeedTunables> = {}): World => {
  const projection = createFeedProjection({ store, checkpoints, ...feedSettings(tunables) });
  const reader = createFeedReader(store);
  const key = `feed-contract-${uuidv7()}`;
  return {
    store,
    reader,
    apply: async (...events) => {
      const batch = events.map((event, index) => recorded(event, index, ++positions));
      await projection.apply({ events: batch, position: batch.at(-1)?.position ?? syntheticPosition(++positions), replay: false }, key);
    },
    readAll: async (userId, pageSize = 7) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const [page, marked]: [FeedPage, HomePage] = await Promise.all([
          reader.homeFeed(userId, { cursor, limit: pageSize }),
          reader.homePage(userId, { cursor, limit: pageSize }),
        ]);
        expect({ postIds: marked.items.map((item) => item.postId), nextCursor: marked.nextCursor }).toEqual(page);
        ids.push(...page.postIds);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return ids;
    },
    readItems: (userId, pageSize = 7) => allPages((page) => reader.homePage(userId, page), pageSize),
    feedIds: async (userId) => (await store.feed(userId, { limit: 10_000 })).map((entry) => entry.postId),
  };
};

/**
 * Everything the store holds about these users and posts, in a comparable form. A deleted post's
 * copy may outlive the delete in a feed when a backfill runs beside the delete in one batch
 * (feed-handlers.ts: the mark comes first, so it is never served): such copies are not compared.
 */
const snapshot = async (store: FeedStore, userIds: readonly string[], postIds: readonly string[]) => {
  const deleted = await store.deletedAmong(postIds);
  const users = await Promise.all(
    userIds.map(async (id) => ({
      feed: (await store.feed(id, { limit: 10_000 })).filter((entry) => !deleted.has(entry.postId)),
      floor: await store.feedFloor(id),
      timeline: (await store.timelines([id], { limit: 10_000 }))[0],
      following: (await store.following(id)).sort(),
      followers: await store.followerCount(id),
      marks: await store.marksAmong(id, postIds),
    })),
  );
  return { users, celebrities: [...(await store.celebrityStates(userIds))].sort(), deleted: [...deleted].sort() };
};

// ---------------------------------------------------------------------------------------------

export const feedStoreContract = (name: string, open: () => Promise<FeedStoreHarness>, options: { skip?: boolean } = {}) => {
  describe.skipIf(options.skip ?? false)(`FeedStore contract: ${name}`, () => {
    let harness: FeedStoreHarness;
    beforeAll(async () => {
      harness = await open();
      await ensureCheckpointTable(harness.checkpoints);
    });
    afterAll(async () => {
      await harness?.close();
    });
    const newWorld = async (tunables: Partial<FeedTunables> = {}, feedCap?: number) =>
      worldOf(await harness.newStore(feedCap === undefined ? {} : { feedCap }), harness.checkpoints, tunables);

    describe('the store', () => {
      // Rule (docs/rules.md, "a removal takes out only what no reason wants any more"): a removal keeps the posts a reason
      // still wants, read in the same step as it removes: the user's own, a followed author's
      // (not for a block's removal), one created with a followed hashtag.
      it('removes only the posts no follow, hashtag follow or authorship of the user wants, and keeps a followed author\'s only by follow', async () => {
        const store = await harness.newStore();
        const [u, followed, stranger] = [user(), user(), user()];
        await store.addFollow(u, followed);
        await store.addTagFollow(u, 'beach');
        const entry = (i: number): FeedEntry => ({ postId: uuidv7(), score: T0 + i });
        const [own, byFollowed, tagged, otherTag, plain] = [entry(0), entry(1), entry(2), entry(3), entry(4)];
        await store.pushToFeed(u, [own, byFollowed, tagged, otherTag, plain]);
        const asked = [
          { postId: own.postId, authorId: u, tags: [] },
          { postId: byFollowed.postId, authorId: followed, tags: [] },
          { postId: tagged.postId, authorId: stranger, tags: ['sun', 'beach'] },
          { postId: otherTag.postId, authorId: stranger, tags: ['sun'] },
          { postId: plain.postId, authorId: stranger, tags: [] },
        ];
        await store.removeUnwantedFromFeeds([{ userId: u, posts: asked }], { byFollow: true });
        const ids = async () => (await store.feed(u, { limit: 10 })).map((entry) => entry.postId).sort();
        expect(await ids()).toEqual([own.postId, byFollowed.postId, tagged.postId].sort());
        await store.removeUnwantedFromFeeds([{ userId: u, posts: asked }], { byFollow: false });
        expect(await ids()).toEqual([own.postId, tagged.postId].sort());
        await store.removeTagFollow(u, 'beach');
        await store.removeUnwantedFromFeeds([{ userId: u, posts: asked }], { byFollow: true });
        expect(await ids()).toEqual([own.postId]);
      });

      it('keeps the newest 800 entries at the cap, in whatever order they come, and raises the floor to the highest score trimmed', async () => {
        const store = await harness.newStore();
        expect(store.feedCap).toBe(800);
        const u = user();
        const entries = Array.from({ length: 850 }, (_, i) => ({ postId: uuidv7(), score: T0 + i * 1000 }));
        const shuffled = fc.sample(fc.shuffledSubarray(entries, { minLength: entries.length }), { numRuns: 1, seed: 42 })[0]!;
        for (let i = 0; i < shuffled.length; i += 50) await Promise.all(shuffled.slice(i, i + 50).map((entry) => store.pushToFeeds([u], entry)));

        const kept = await store.feed(u, { limit: 10_000 });
        const newest = [...entries].sort(newestFirst);
        expect(kept).toEqual(newest.slice(0, 800));
        expect(await store.feedFloor(u)).toBe(newest[800]!.score);
        // An entry older than the floor comes and goes at once.
        await store.pushToFeed(u, [{ postId: uuidv7(), score: T0 - 1 }]);
        expect(await store.feed(u, { limit: 10_000 })).toEqual(newest.slice(0, 800));
      });

      it('a feed pushed past its cap, however its trims are spread, never reads more than the cap: the oldest go, the floor covers them, and a removal brings none back', async () => {
        const store = await harness.newStore({ feedCap: 4 });
        const users = Array.from({ length: 40 }, () => user());
        const entries = Array.from({ length: 30 }, (_, i) => ({ postId: uuidv7(), score: T0 + i * 1000 }));
        const expectTrimmed = async (pushed: readonly FeedEntry[], removed: ReadonlySet<string> = new Set()) => {
          const newest = [...pushed].sort(newestFirst);
          const kept = newest.slice(0, 4).filter((entry) => !removed.has(entry.postId));
          for (const u of users) {
            expect(await store.feed(u, { limit: 100 })).toEqual(kept);
            expect(await store.feed(u, { limit: 100, minScore: T0 })).toEqual(kept);
            expect(await store.feedFloor(u)).toBe(newest.length > 4 ? newest[4]!.score : null);
          }
          expect(await store.feedFloors(users)).toEqual(new Map(users.map((u) => [u, newest.length > 4 ? newest[4]!.score : null])));
        };
        for (const [i, entry] of entries.entries()) {
          await store.pushToFeeds(users, entry);
          if (i % 7 === 3 || i === entries.length - 1) await expectTrimmed(entries.slice(0, i + 1));
        }
        // Taking out three of the four shown leaves one: nothing past the cap comes back into view.
        const gone = entries.slice(-3).map((entry) => entry.postId);
        for (const postId of gone) await store.removeFromFeeds(users, postId);
        await expectTrimmed(entries, new Set(gone));
      });

      // Rule (docs/rules.md, "a home feed reads at most its newest `feedCap` entries"): however
      // lazily a store trims, the worst case being a feed no push's hash chooses to settle (past
      // the cap by more than FEED_SETTLE_PAST, where PostgreSQL settles it whatever the hash).
      it('a feed pushed far past its cap by posts whose pushes never settle it reads exactly its newest cap entries above its floor, the rest from the authors’ timelines only, and a removal brings none back', async () => {
        const cap = 4;
        const store = await harness.newStore({ feedCap: cap });
        const reader = createFeedReader(store);
        const [u, a] = [user(), user()];
        await store.addFollow(u, a);
        /** A post id whose fan-out push does not settle u's feed (settlesOn). */
        const unchosen = (): string => {
          for (;;) {
            const postId = uuidv7();
            if (!settlesOn(postId)(u)) return postId;
          }
        };
        // a's posts (in a's timeline) and, between them, a stranger's pushed into u's feed alone:
        // below the floor only the timelines answer, so a stranger's post there is never read.
        const count = cap + FEED_SETTLE_PAST + 2 * cap + 3;
        const pushed = Array.from({ length: count }, (_, i) => ({ postId: unchosen(), score: T0 + i * 1000, byA: i % 3 !== 1 }));
        const expectExact = async (upTo: number, removed: ReadonlySet<string> = new Set()) => {
          const newest = pushed.slice(0, upTo).map(({ postId, score }) => ({ postId, score })).sort(newestFirst);
          const floor = newest.length > cap ? newest[cap]!.score : null;
          const shown = newest.slice(0, cap).filter((entry) => !removed.has(entry.postId));
          expect(await store.feed(u, { limit: 1_000 })).toEqual(shown);
          expect(await store.feedFloor(u)).toBe(floor);
          expect(await store.feedFloors([u])).toEqual(new Map([[u, floor]]));
          const window = await store.homeWindow(u, { after: null, limit: 1_000 });
          expect({ floor: window.floor, entries: window.entries }).toEqual({ floor, entries: shown });
          const byA = new Set(pushed.filter((entry) => entry.byA).map((entry) => entry.postId));
          const below = newest.slice(cap).filter((entry) => byA.has(entry.postId));
          expect(await allPages((page) => reader.homeFeed(u, page).then(({ postIds, nextCursor }) => ({ items: postIds, nextCursor })), 3)).toEqual(
            [...shown, ...below].map((entry) => entry.postId),
          );
        };
        for (const [i, { postId, score, byA }] of pushed.entries()) {
          if (byA) await store.addToTimeline(a, { postId, score });
          await store.pushToFeeds([u], { postId, score });
          if (i % 11 === 10 || i === cap || i === cap + FEED_SETTLE_PAST || i === cap + FEED_SETTLE_PAST + 1) await expectExact(i + 1);
        }
        await expectExact(count);
        // Taking out all but one of those shown: nothing past the cap comes back into view.
        const gone = pushed.slice(-(cap - 1)).map((entry) => entry.postId);
        await store.removeFromFeeds([u], gone[0]!);
        await store.removeFromFeed(u, gone.slice(1));
        await expectExact(count, new Set(gone));
      });

      it('reads ranges newest first, strictly after a key (ties on the score ordered by post id), from a minimum score, up to a limit', async () => {
        const store = await harness.newStore();
        const ids = Array.from({ length: 12 }, () => uuidv7());
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(fc.record({ id: fc.constantFrom(...ids), score: fc.integer({ min: 0, max: 5 }) }), { selector: (e) => e.id, maxLength: 12 }),
            fc.option(fc.record({ id: fc.constantFrom(...ids, '0', 'g'), score: fc.integer({ min: -1, max: 6 }) }), { nil: null }),
            fc.option(fc.integer({ min: -1, max: 6 }), { nil: null }),
            fc.integer({ min: 1, max: 14 }),
            async (raw, after, minScore, limit) => {
              const author = user();
              const entries = raw.map((e) => ({ postId: e.id, score: T0 + e.score }));
              await Promise.all(entries.map((entry) => store.addToTimeline(author, entry)));
              const afterKey = after && { postId: after.id, score: T0 + after.score };
              const min = minScore === null ? null : T0 + minScore;
              const [range] = await store.timelines([author], { after: afterKey, minScore: min, limit });
              const expected = entries
                .filter((e) => afterKey === null || newestFirst(afterKey, e) < 0)
                .filter((e) => min === null || e.score >= min)
                .sort(newestFirst)
                .slice(0, limit);
              expect(range).toEqual(expected);
            },
          ),
          { numRuns: 25 },
        );
      });

      it('answers a home window as its parts answer it: the floor, the feed above it after a key (ties ordered by id), the marks among those, their deleted markers when it answers them, the pulled authors followed', async () => {
        const store = await harness.newStore({ feedCap: 6 });
        const ids = Array.from({ length: 14 }, () => uuidv7());
        const authors = Array.from({ length: 4 }, () => user());
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(fc.record({ id: fc.constantFrom(...ids), score: fc.integer({ min: 0, max: 6 }) }), { selector: (e) => e.id, maxLength: 14 }),
            fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }),
            fc.option(fc.record({ id: fc.constantFrom(...ids, '0', 'g'), score: fc.integer({ min: -1, max: 7 }) }), { nil: null }),
            fc.integer({ min: 1, max: 8 }),
            fc.subarray(ids),
            fc.subarray(ids),
            fc.array(fc.tuple(fc.constantFrom(...authors), fc.constantFrom<CelebrityState | null>('celebrity', 'demoting', null), fc.boolean()), { maxLength: 6 }),
            fc.subarray(ids),
            async (raw, floor, after, limit, likedIds, savedIds, graph, deletedIds) => {
              const u = user();
              // One at a time through the fan-out's push: in Redis most skip the trim, so the feed may hold entries past the cap.
              for (const e of raw) await store.pushToFeeds([u], { postId: e.id, score: T0 + e.score });
              if (floor !== null) await store.raiseFeedFloor(u, T0 + floor);
              await Promise.all([...likedIds.map((id) => store.addMark('liked', u, id)), ...savedIds.map((id) => store.addMark('saved', u, id))]);
              // The markers are shared by every run of the property (one store): marked once, never unmarked.
              await Promise.all(deletedIds.map((id) => store.markDeleted(id)));
              for (const [author, state, follows] of graph) {
                await store.setCelebrityState(author, state);
                await (follows ? store.addFollow(u, author) : store.removeFollow(u, author));
              }
              const afterKey = after && { postId: after.id, score: T0 + after.score };

              const window = await store.homeWindow(u, { after: afterKey, limit });
              const expectedFloor = await store.feedFloor(u);
              const above = expectedFloor === null || afterKey === null || afterKey.score > expectedFloor;
              const entries = above ? await store.feed(u, { after: afterKey, minScore: expectedFloor === null ? null : expectedFloor + 1, limit }) : [];
              const following = await store.following(u);
              const states = await store.celebrityStates(following);
              expect(window.floor).toBe(expectedFloor);
              expect(window.entries).toEqual(entries);
              expect(window.marks).toEqual(await store.marksAmong(u, entries.map((entry) => entry.postId)));
              if (window.deleted) expect(window.deleted).toEqual(await store.deletedAmong(entries.map((entry) => entry.postId)));
              expect(new Set(window.pulled)).toEqual(new Set(following.filter((author) => states.has(author))));
            },
          ),
          { numRuns: 20 },
        );
      });

      // The ranked feed reads up to 1,000 candidates in one window: Redis asks its marks in parts
      // of 500 (Lua's unpack limit), whose answers must line up with the entries part after part.
      it('answers the marks and deleted markers of a window larger than one part of 500, each on its own entry', async () => {
        const store = await harness.newStore({ feedCap: 800 });
        const u = user();
        const entries = Array.from({ length: 700 }, (_, i) => ({ postId: uuidv7(), score: T0 + i }));
        await store.pushToFeedsMany(entries.map((entry) => ({ entry, userIds: [u] })));
        // Marked on each side of the part boundary (the 500th and 501st entries, newest first) and far from it.
        const newest = [...entries].reverse();
        const liked = [newest[0]!, newest[499]!, newest[650]!].map((entry) => entry.postId);
        const saved = [newest[500]!, newest[699]!].map((entry) => entry.postId);
        const deleted = [newest[1]!, newest[501]!].map((entry) => entry.postId);
        await Promise.all([...liked.map((id) => store.addMark('liked', u, id)), ...saved.map((id) => store.addMark('saved', u, id))]);
        await Promise.all(deleted.map((id) => store.markDeleted(id)));

        const window = await store.homeWindow(u, { after: null, limit: 701 });
        expect(window.entries).toEqual(newest);
        expect(window.marks).toEqual({ liked: new Set(liked), saved: new Set(saved) });
        if (window.deleted) expect(window.deleted).toEqual(new Set(deleted));
      });

      it('gives several timelines in one call, each in the order of the authors asked for', async () => {
        const store = await harness.newStore();
        const [a, b, c] = [user(), user(), user()];
        await store.addToTimeline(a, { postId: uuidv7(), score: T0 + 2 });
        await store.addToTimeline(b, { postId: uuidv7(), score: T0 + 1 });
        const ranges = await store.timelines([b, c, a], { limit: 5 });
        expect(ranges.map((range) => range.length)).toEqual([1, 0, 1]);
        expect(ranges[2]![0]!.score).toBe(T0 + 2);
      });

      it('makes the same write twice change nothing more than once (sizes stay exact: no early trim)', async () => {
        const store = await harness.newStore();
        const [u, a] = [user(), user()];
        await store.addFollow(u, a);
        await store.addFollow(u, a);
        expect(await store.followerCount(a)).toBe(1);
        expect(await store.following(u)).toEqual([a]);
        await store.removeFollow(u, a);
        await store.removeFollow(u, a);
        expect(await store.followerCount(a)).toBe(0);
        await store.addFollow(u, a);
        expect(await store.followerCount(a)).toBe(1);

        // A full feed, every entry pushed twice and one removed twice then pushed again: had a
        // repeat counted, the feed would be trimmed below 800 or its floor raised.
        const entries = Array.from({ length: 800 }, (_, i) => ({ postId: uuidv7(), score: T0 + i }));
        await store.pushToFeed(u, entries);
        await store.pushToFeed(u, entries);
        await Promise.all(entries.slice(0, 100).map((entry) => store.pushToFeeds([u], entry)));
        await store.removeFromFeed(u, [entries[5]!.postId]);
        await store.removeFromFeeds([u], entries[5]!.postId);
        await store.pushToFeeds([u], entries[5]!);
        expect(await store.feed(u, { limit: 10_000 })).toHaveLength(800);
        expect(await store.feedFloor(u)).toBeNull();

        await store.markDeleted(entries[0]!.postId);
        await store.markDeleted(entries[0]!.postId);
        expect(await store.deletedAmong([entries[0]!.postId, entries[1]!.postId])).toEqual(new Set([entries[0]!.postId]));
        await store.addToTimeline(a, entries[1]!);
        await store.addToTimeline(a, entries[1]!);
        expect((await store.timelines([a], { limit: 10 }))[0]).toEqual([entries[1]]);
      });

      it('only ever raises a floor', async () => {
        const store = await harness.newStore();
        const u = user();
        expect(await store.feedFloor(u)).toBeNull();
        await store.raiseFeedFloor(u, T0 + 10);
        await store.raiseFeedFloor(u, T0 + 5);
        expect(await store.feedFloor(u)).toBe(T0 + 10);
        await store.raiseFeedFloor(u, T0 + 20);
        expect(await store.feedFloor(u)).toBe(T0 + 20);
        const other = user();
        expect(await store.feedFloors([u, other])).toEqual(new Map([[u, T0 + 20], [other, null]]));
        expect(await store.feedFloors([])).toEqual(new Map());
      });

      it('yields every follower in chunks no larger than asked, and answers membership questions', async () => {
        const store = await harness.newStore();
        const author = user();
        const followers = Array.from({ length: 2_345 }, () => user());
        for (let i = 0; i < followers.length; i += 200) await Promise.all(followers.slice(i, i + 200).map((f) => store.addFollow(f, author)));
        const seen = new Set<string>();
        for await (const chunk of store.followerChunks(author, 1_000)) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(1_000);
          chunk.forEach((id) => seen.add(id));
        }
        expect(seen).toEqual(new Set(followers));
        expect(await store.followerCount(author)).toBe(2_345);
        const stranger = user();
        expect(await store.followersAmong(author, [followers[3]!, stranger])).toEqual(new Set([followers[3]]));

        await store.setCelebrityState(author, 'celebrity');
        await store.setCelebrityState(stranger, 'demoting');
        await store.setCelebrityState(stranger, null);
        expect(await store.celebrityStates([author, stranger, followers[0]!])).toEqual(new Map([[author, 'celebrity']]));
      });
    });

    describe('its verbs for many at once (a batch of the log)', () => {
      it('adds timelines, follows and viewer marks as the one-at-a-time verbs do, repeats included', async () => {
        const store = await harness.newStore();
        const [a, b, u, v] = [user(), user(), user(), user()];
        const posts = [
          { authorId: a, postId: uuidv7(), score: T0 + 1000 },
          { authorId: a, postId: uuidv7(), score: T0 + 2000 },
          { authorId: b, postId: uuidv7(), score: T0 + 3000 },
        ];
        await store.addToTimelines(posts);
        await store.addToTimelines([posts[0]!]);
        expect(await store.timelines([a, b], { limit: 10 })).toEqual([
          [posts[1]!, posts[0]!].map(({ postId, score }) => ({ postId, score })),
          [{ postId: posts[2]!.postId, score: posts[2]!.score }],
        ]);

        await store.addFollows([
          { followerId: u, followeeId: a },
          { followerId: v, followeeId: a },
          { followerId: u, followeeId: b },
        ]);
        await store.addFollows([{ followerId: u, followeeId: a }]);
        expect(await store.followerCounts([a, b, u])).toEqual(new Map([[a, 2], [b, 1], [u, 0]]));
        const followers = await store.followersOf([a, b, u]);
        expect(new Map([...followers].map(([id, list]) => [id, [...list].sort()]))).toEqual(new Map([[a, [u, v].sort()], [b, [u]], [u, []]]));
        expect(await store.following(u).then((ids) => ids.sort())).toEqual([a, b].sort());
        expect(
          await store.followersAmongMany([
            { userId: a, candidateIds: [u, b] },
            { userId: b, candidateIds: [] },
            { userId: b, candidateIds: [v, u] },
          ]),
        ).toEqual([new Set([u]), new Set(), new Set([u])]);

        await store.setMarks([
          { kind: 'liked', userId: u, postId: posts[0]!.postId, marked: true },
          { kind: 'saved', userId: u, postId: posts[1]!.postId, marked: true },
          { kind: 'liked', userId: u, postId: posts[2]!.postId, marked: true },
        ]);
        await store.setMarks([
          { kind: 'liked', userId: u, postId: posts[2]!.postId, marked: false },
          { kind: 'liked', userId: u, postId: posts[0]!.postId, marked: true },
        ]);
        expect(await store.marksAmong(u, posts.map((post) => post.postId))).toEqual({ liked: new Set([posts[0]!.postId]), saved: new Set([posts[1]!.postId]) });
      });

      it('pushes many posts to many feeds, and many entries to many feeds, trimming each at the cap as one push at a time would', async () => {
        const store = await harness.newStore({ feedCap: 4 });
        const [u, v, w] = [user(), user(), user()];
        const entries = Array.from({ length: 6 }, (_, i) => ({ postId: uuidv7(), score: T0 + i * 1000 }));
        await store.pushToFeedsMany(entries.map((entry, i) => ({ entry, userIds: i % 2 === 0 ? [u, v] : [u] })));
        await store.pushToFeedsMany([{ entry: entries[0]!, userIds: [v] }]);
        const newest = [...entries].sort(newestFirst);
        expect(await store.feed(u, { limit: 10 })).toEqual(newest.slice(0, 4));
        expect(await store.feedFloor(u)).toBe(newest[4]!.score);
        expect(await store.feed(v, { limit: 10 })).toEqual([entries[4], entries[2], entries[0]]);
        expect(await store.feedFloor(v)).toBeNull();

        await store.pushToFeedMany([
          { userId: w, entries: entries.slice(0, 5) },
          { userId: v, entries: [entries[5]!] },
        ]);
        expect(await store.feed(w, { limit: 10 })).toEqual(newest.slice(1, 5));
        expect(await store.feedFloor(w)).toBe(entries[0]!.score);
        expect(await store.feed(v, { limit: 10 })).toEqual([entries[5], entries[4], entries[2], entries[0]]);
      });
    });

    describe('the feed built on it', () => {
      it('pages stay stable while new posts arrive between page reads: no duplicate, no skip', async () => {
        const world = await newWorld({ celebrityThreshold: 3 });
        const [u, a, b, celeb] = [user(), user(), user(), user()];
        const fans = [user(), user()];
        await world.apply(followed(u, a), followed(u, b), followed(u, celeb), ...fans.map((f) => followed(f, celeb)));
        const posts = Array.from({ length: 45 }, (_, i) => post([a, b, celeb, u][i % 4]!, i * 1000));
        await world.apply(...posts);

        const seen: string[] = [];
        let cursor: string | null = null;
        let clock = 100_000;
        do {
          const page = await world.reader.homeFeed(u, { cursor, limit: 10 });
          seen.push(...page.postIds);
          cursor = page.nextCursor;
          // Newer posts land between page reads, by pushed and pulled authors alike.
          await world.apply(post(a, (clock += 1000)), post(celeb, (clock += 1000)));
        } while (cursor !== null);
        expect(seen).toEqual(idsNewestFirst(posts));
        const first = await world.reader.homeFeed(u, { limit: 3 });
        expect(first.postIds).toHaveLength(3);
        expect(first.postIds).not.toContain(seen[0]);
      });

      it("pulls a celebrity's posts at read time and merges them in order with the pushed ones", async () => {
        const world = await newWorld({ celebrityThreshold: 3 });
        const [u, v, w, normal, celeb] = [user(), user(), user(), user(), user()];
        await world.apply(followed(u, celeb), followed(v, celeb), followed(w, celeb), followed(u, normal));
        const posts = Array.from({ length: 10 }, (_, i) => post(i % 2 === 0 ? celeb : normal, i * 1000));
        await world.apply(...posts);

        const celebPosts = posts.filter((p) => p.data.authorId === celeb);
        expect(await world.store.celebrityStates([celeb, normal])).toEqual(new Map([[celeb, 'celebrity']]));
        // Pushed: only the normal author's posts; the celebrity's went to their own feed only.
        expect(await world.feedIds(u)).toEqual(idsNewestFirst(posts.filter((p) => p.data.authorId === normal)));
        expect(await world.feedIds(v)).toEqual([]);
        expect(await world.feedIds(celeb)).toEqual(idsNewestFirst(celebPosts));
        expect(await world.readAll(u, 3)).toEqual(idsNewestFirst(posts));
        expect(await world.readAll(v)).toEqual(idsNewestFirst(celebPosts));
      });

      it('reads past the cap by merging the followed authors’ timelines, so the feed never runs out', async () => {
        const world = await newWorld();
        const [u, a, b, stranger] = [user(), user(), user(), user()];
        await world.apply(followed(u, a), followed(u, b));
        // 850 posts u may see (more than the cap), and some by a stranger in between.
        const posts = Array.from({ length: 900 }, (_, i) => post(i % 18 === 17 ? stranger : [a, b, u][i % 3]!, i * 1000));
        for (let i = 0; i < posts.length; i += 100) await world.apply(...posts.slice(i, i + 100));

        const visible = idsNewestFirst(posts.filter((p) => p.data.authorId !== stranger));
        expect(visible).toHaveLength(850);
        expect(await world.feedIds(u)).toEqual(visible.slice(0, 800));
        expect(await world.readAll(u, 100)).toEqual(visible);
      });

      it('a follow copies the followee’s newest posts; older ones stay reachable below the raised floor', async () => {
        const world = await newWorld({ backfillLimit: 5 });
        const [u, a] = [user(), user()];
        const posts = Array.from({ length: 8 }, (_, i) => post(a, i * 1000));
        await world.apply(...posts);
        await world.apply(followed(u, a));
        const newest = idsNewestFirst(posts);
        expect(await world.feedIds(u)).toEqual(newest.slice(0, 5));
        expect(await world.store.feedFloor(u)).toBe(T0 + 3000);
        expect(await world.readAll(u, 2)).toEqual(newest);
      });

      it('an unfollow takes the followee’s posts out of the feed, and a block each one’s out of the other’s', async () => {
        const world = await newWorld();
        const [u, a, b] = [user(), user(), user()];
        await world.apply(followed(u, a), followed(u, b), followed(a, u));
        const posts = [post(a, 1000), post(b, 2000), post(u, 3000), post(a, 4000)];
        await world.apply(...posts);
        const [a1, , u1, a2] = posts.map((p) => p.data.postId);

        await world.apply(unfollowed(u, b));
        expect(await world.feedIds(u)).toEqual([a2, u1, a1]);
        expect(await world.readAll(u)).toEqual([a2, u1, a1]);

        await world.apply(blocked(u, a));
        // Even before the Unfollowed events that a block brings land, neither feed holds the other's posts.
        expect(await world.feedIds(u)).toEqual([u1]);
        expect(await world.feedIds(a)).toEqual([a2, a1]);
      });

      it('a deleted post leaves the author’s timeline and every feed, and is never served, even from a late copy', async () => {
        const world = await newWorld();
        const [u, v, a] = [user(), user(), user()];
        await world.apply(followed(u, a), followed(v, a));
        const [keep, gone] = [post(a, 1000), post(a, 2000)];
        await world.apply(keep, gone);
        await world.apply(deleted(gone));

        for (const id of [u, v, a]) expect(await world.feedIds(id)).toEqual([keep.data.postId]);
        expect((await world.store.timelines([a], { limit: 10 }))[0]!.map((e) => e.postId)).toEqual([keep.data.postId]);
        // A copy landing late (a slow fan-out worker) is never served, and removes itself.
        await world.store.pushToFeeds([u], entryOf(gone));
        expect(await world.readAll(u)).toEqual([keep.data.postId]);
        await deliverFanOutChunk(world.store, { postId: gone.data.postId, authorId: a, score: entryOf(gone).score, followerIds: [v] });
        expect(await world.feedIds(v)).toEqual([keep.data.postId]);
        expect((await world.reader.userTimeline(a)).postIds).toEqual([keep.data.postId]);
      });

      it('a fan-out chunk landing after a follower left takes itself out of their feed', async () => {
        const world = await newWorld();
        const [u, a] = [user(), user()];
        const late = post(a, 1000);
        await world.apply(followed(u, a), unfollowed(u, a));
        await deliverFanOutChunk(world.store, { postId: late.data.postId, authorId: a, score: entryOf(late).score, followerIds: [u] });
        expect(await world.feedIds(u)).toEqual([]);
      });

      it('a celebrity falling below the threshold has their recent posts pushed to followers before being no longer pulled', async () => {
        const world = await newWorld({ celebrityThreshold: 3 });
        const [u, v, w, celeb] = [user(), user(), user(), user()];
        await world.apply(followed(u, celeb), followed(v, celeb), followed(w, celeb));
        const posts = [post(celeb, 1000), post(celeb, 2000)];
        await world.apply(...posts);
        expect(await world.feedIds(u)).toEqual([]);

        await world.apply(unfollowed(w, celeb));
        expect(await world.store.celebrityStates([celeb])).toEqual(new Map());
        expect(await world.feedIds(u)).toEqual(idsNewestFirst(posts));
        expect(await world.feedIds(v)).toEqual(idsNewestFirst(posts));
        expect(await world.feedIds(w)).toEqual([]);
        expect(await world.readAll(u)).toEqual(idsNewestFirst(posts));
      });

      // docs/architecture.md "Account deletion": the cascade (PostDeleted, Unfollowed 'account-erased')
      // comes first in the log; the erasure then removes every key the feed keeps of the person.
      it('an erasure leaves nothing of the person: home feed, floor, timeline, celebrity state, follows both ways (whatever the cascade left)', async () => {
        const world = await newWorld({ celebrityThreshold: 2, backfillLimit: 1 });
        const [gone, a, f1, f2] = [user(), user(), user(), user()];
        const older = [post(a, 1000), post(a, 2000)];
        await world.apply(...older);
        // The follow copies only a's newest post: the person's floor rises. Two followers make them a celebrity.
        await world.apply(followed(gone, a), followed(f1, gone), followed(f2, gone), followed(a, f1));
        const own = [post(gone, 3000), post(gone, 4000)];
        await world.apply(...own);
        expect(await world.store.feedFloor(gone)).not.toBeNull();
        expect(await world.store.celebrityStates([gone])).toEqual(new Map([[gone, 'celebrity']]));

        // A cascade that left one post and one follow behind (f2's), and the erasure in the same batch.
        await world.apply(deleted(own[0]!), erasedFollow(gone, a), erasedFollow(f1, gone), erased(gone));
        const leftover = own[1]!.data.postId;
        expect(await world.store.feed(gone, { limit: 100 })).toEqual([]);
        expect(await world.store.feedFloor(gone)).toBeNull();
        expect(await world.store.timelines([gone], { limit: 100 })).toEqual([[]]);
        expect(await world.store.celebrityStates([gone])).toEqual(new Map());
        expect(await world.store.following(gone)).toEqual([]);
        expect(await world.store.followerCount(gone)).toBe(0);
        expect(await world.store.followersAmong(gone, [f1, f2])).toEqual(new Set());
        for (const follower of [f1, f2]) expect(await world.store.following(follower)).not.toContain(gone);
        expect(await world.store.followerCount(a)).toBe(0);
        expect(await world.store.followersAmong(a, [gone])).toEqual(new Set());
        expect(await world.store.following(a)).toEqual([f1]);
        // A post the cascade left is never served, from a pulled timeline or a pushed copy alike.
        expect(await world.store.deletedAmong([leftover])).toEqual(new Set([leftover]));
        await world.store.pushToFeeds([f2], { postId: leftover, score: T0 + 4000 });
        expect(await world.readAll(f2)).toEqual([]);
        expect(await world.readAll(a)).toEqual(idsNewestFirst(older));
        expect(await world.readAll(gone)).toEqual([]);

        // Applied again (a retried batch): nothing changes.
        const before = await snapshot(world.store, [gone, a, f1, f2], [...older, ...own].map((p) => p.data.postId));
        await world.apply(erased(gone));
        expect(await snapshot(world.store, [gone, a, f1, f2], [...older, ...own].map((p) => p.data.postId))).toEqual(before);
      });

      it('keeps each viewer’s likes and bookmarks as sets: the last event of a pair stands, a repeat changes nothing, an erasure takes them', async () => {
        const world = await newWorld();
        const [u, v, a] = [user(), user(), user()];
        const posts = [post(a, 1000), post(a, 2000), post(a, 3000)];
        const [p1, p2, p3] = posts.map((p) => p.data.postId) as [string, string, string];
        await world.apply(...posts, liked(u, posts[0]!), liked(u, posts[1]!), unliked(u, posts[1]!), bookmarked(u, posts[1]!), liked(v, posts[2]!));
        // One batch holding a pair's like, unlike and like again: the last one stands.
        await world.apply(liked(u, posts[2]!), unliked(u, posts[2]!), liked(u, posts[2]!), bookmarked(v, posts[0]!), unbookmarked(v, posts[0]!));
        const expectMarks = async () => {
          expect(await world.store.marksAmong(u, [p1, p2, p3, uuidv7()])).toEqual({ liked: new Set([p1, p3]), saved: new Set([p2]) });
          expect(await world.store.marksAmong(v, [p1, p2, p3])).toEqual({ liked: new Set([p3]), saved: new Set() });
          expect(await world.reader.marksAmong(u, [])).toEqual({ liked: new Set(), saved: new Set() });
        };
        await expectMarks();
        // Applied again, whole or from the middle (a retried batch): nothing changes.
        await world.apply(liked(u, posts[0]!), liked(u, posts[1]!), unliked(u, posts[1]!), bookmarked(u, posts[1]!), liked(v, posts[2]!));
        await world.apply(unliked(u, posts[2]!), liked(u, posts[2]!), unbookmarked(v, posts[0]!));
        await expectMarks();

        await world.apply(erased(u));
        expect(await world.store.marksAmong(u, [p1, p2, p3])).toEqual({ liked: new Set(), saved: new Set() });
        expect(await world.store.marksAmong(v, [p1, p2, p3])).toEqual({ liked: new Set([p3]), saved: new Set() });
      });

      it('a home page marks each post the viewer likes or bookmarked, pushed, pulled or read below the floor alike, and pages as homeFeed does', async () => {
        const world = await newWorld({ celebrityThreshold: 3, backfillLimit: 2 }, 6);
        const [u, normal, celeb, late] = [user(), user(), user(), user()];
        await world.apply(followed(u, normal), followed(u, celeb), ...[user(), user()].map((f) => followed(f, celeb)));
        // `late`'s older posts stay below u's floor once u follows them (backfill 2, cap 6).
        const earlier = Array.from({ length: 5 }, (_, i) => post(late, i * 1000));
        const posts = Array.from({ length: 12 }, (_, i) => post([normal, celeb, u][i % 3]!, 10_000 + i * 1000));
        await world.apply(...earlier, ...posts);
        await world.apply(followed(u, late));
        const all = [...earlier, ...posts];
        const likedPosts = all.filter((_, i) => i % 2 === 0);
        const savedPosts = all.filter((_, i) => i % 3 === 0);
        await world.apply(...likedPosts.map((p) => liked(u, p)), ...savedPosts.map((p) => bookmarked(u, p)), ...all.map((p) => liked(late, p)));
        await world.apply(deleted(posts[4]!));
        expect(await world.store.feedFloor(u)).not.toBeNull();

        const live = all.filter((p) => p !== posts[4]);
        const likedIds = new Set(likedPosts.map((p) => p.data.postId));
        const savedIds = new Set(savedPosts.map((p) => p.data.postId));
        const expected = idsNewestFirst(live).map((postId) => ({ postId, likedByMe: likedIds.has(postId), bookmarkedByMe: savedIds.has(postId) }));
        for (const pageSize of [1, 4, 20]) {
          expect(await world.readItems(u, pageSize)).toEqual(expected);
          expect(await world.readAll(u, pageSize)).toEqual(expected.map((item) => item.postId));
        }
        expect((await world.reader.homePage(u, { limit: 3 })).items).toEqual(expected.slice(0, 3));
      });

      it('applying the same batch twice changes nothing, and the checkpoint follows the batch', async () => {
        const store = await harness.newStore();
        const projection = createFeedProjection({ store, checkpoints: harness.checkpoints, ...feedSettings({ celebrityThreshold: 2, backfillLimit: 2 }) });
        const [u, v, a, b] = [user(), user(), user(), user()];
        const posts = [post(a, 1000), post(b, 2000), post(a, 3000), post(b, 4000), post(u, 5000)];
        // b blocks u: the block, then the follow it ends (as the write side appends them).
        const marks = [liked(u, posts[1]!), liked(v, posts[2]!), unliked(u, posts[1]!), liked(u, posts[2]!), bookmarked(u, posts[3]!)];
        const events: DomainEvent[] = [...posts, followed(u, a), followed(v, a), followed(u, b), unfollowed(v, a), blocked(b, u), unfollowed(u, b), deleted(posts[0]!), ...marks];
        const batch = { events: events.map((event, index) => recorded(event, 0, index + 1)), position: syntheticPosition(events.length), replay: false };
        const key = `feed-contract-${uuidv7()}`;
        const everyone = [u, v, a, b];
        const postIds = posts.map((p) => p.data.postId);

        await projection.apply(batch, key);
        const once = await snapshot(store, everyone, postIds);
        await projection.apply(batch, key);
        expect(await snapshot(store, everyone, postIds)).toEqual(once);
        expect(await projection.checkpoint(key)).toBe(batch.position);
        expect(await worldOf(store, harness.checkpoints).readAll(u)).toEqual([posts[4], posts[2]].map((p) => p!.data.postId));
        expect(once.users[0]!.marks).toEqual({ liked: new Set([posts[2]!.data.postId]), saved: new Set([posts[3]!.data.postId]) });
      });
    });

    // docs/architecture.md "Feed": hashtag follows. A post is wanted in a feed when it is the
    // user's own, its author is followed, or it was created with a tag the user follows.
    describe('hashtag follows', () => {
      const via = (items: readonly HomeItem[]) => items.map((item) => [item.postId, item.via ?? null]);

      it('keeps tag follows both ways, tag timelines newest first and each tagged post’s author and tags; repeats change nothing', async () => {
        const store = await harness.newStore();
        const [u, v, a] = [user(), user(), user()];
        await store.addTagFollow(u, 'cats');
        await store.addTagFollow(u, 'cats');
        await store.addTagFollow(u, 'día');
        await store.addTagFollow(v, 'cats');
        const [p1, p2] = [uuidv7(), uuidv7()];
        const posts = [
          { postId: p1, authorId: a, score: T0 + 1000, tags: ['cats', 'dogs'] },
          { postId: p2, authorId: a, score: T0 + 2000, tags: ['cats'] },
          { postId: uuidv7(), authorId: a, score: T0 + 3000, tags: [] },
        ];
        await store.addToTagTimelines(posts);
        await store.addToTagTimelines(posts);
        const tags = await store.followedTagsOf([u, v, a]);
        expect([tags.get(u)!.sort(), tags.get(v), tags.get(a)]).toEqual([['cats', 'día'], ['cats'], []]);
        const chunks: string[][] = [];
        for await (const chunk of store.tagFollowerChunks('cats', 1)) chunks.push(chunk);
        expect(chunks.flat().sort()).toEqual([u, v].sort());
        expect(chunks.every((chunk) => chunk.length <= 1)).toBe(true);
        expect(await store.tagFollowersAmongMany([{ tag: 'cats', candidateIds: [u, a] }, { tag: 'día', candidateIds: [v] }, { tag: 'x', candidateIds: [] }])).toEqual([
          new Set([u]),
          new Set(),
          new Set(),
        ]);
        expect((await store.tagTimelines(['cats', 'dogs', 'none'], { limit: 10 })).map((list) => list.map((e) => e.postId))).toEqual([[p2, p1], [p1], []]);
        expect(await store.postTags([p1, p2, posts[2]!.postId])).toEqual(
          new Map([
            [p1, { authorId: a, tags: ['cats', 'dogs'] }],
            [p2, { authorId: a, tags: ['cats'] }],
          ]),
        );
        await store.removeFromTagTimelines(p1);
        await store.removeFromTagTimelines(p1);
        expect((await store.tagTimelines(['cats', 'dogs'], { limit: 10 })).map((list) => list.map((e) => e.postId))).toEqual([[p2], []]);
        expect([...(await store.postTags([p1, p2])).keys()]).toEqual([p2]);
        await store.removeTagFollow(u, 'cats');
        expect((await store.followedTagsOf([u])).get(u)).toEqual(['día']);
        expect(await store.tagFollowersAmongMany([{ tag: 'cats', candidateIds: [u, v] }])).toEqual([new Set([v])]);
        // Which tags anyone follows: a tag's last unfollow takes it out; a tag with posts but no follower is not in.
        expect(await store.tagsWithFollowers(['cats', 'día', 'dogs', 'cats', 'none'])).toEqual(new Set(['cats', 'día']));
        await store.removeTagFollow(v, 'cats');
        expect(await store.tagsWithFollowers(['cats', 'día', 'dogs'])).toEqual(new Set(['día']));
        expect(await store.tagsWithFollowers([])).toEqual(new Set());
      });

      it('a tagged post reaches the tag’s followers marked via the tag; a followed author’s or one’s own shows no via', async () => {
        const world = await newWorld();
        const [u, stranger, friend] = [user(), user(), user()];
        await world.apply(tagFollowed(u, 'beach'), tagFollowed(u, 'sun'), followed(u, friend));
        const [s1, f1, own, untagged, second] = [
          tagged(stranger, 1000, ['fun', 'sun', 'beach']),
          tagged(friend, 2000, ['beach']),
          tagged(u, 3000, ['beach']),
          post(stranger, 4000),
          tagged(stranger, 5000, ['beach']),
        ];
        await world.apply(s1, f1, own, untagged);
        await world.apply(second);
        expect(via(await world.readItems(u))).toEqual([
          [second.data.postId, 'beach'],
          [own.data.postId, null],
          [f1.data.postId, null],
          // The first of its tags, in caption order, that u follows.
          [s1.data.postId, 'sun'],
        ]);
        // Followed now: the author's posts lose their via.
        await world.apply(followed(u, stranger));
        expect(via(await world.readItems(u, 2)).filter(([, tag]) => tag !== null)).toEqual([]);
        expect((await world.reader.viaAmong(u, [second.data.postId, f1.data.postId])).size).toBe(0);
      });

      it('a celebrity’s tagged post is pushed to the tag’s followers, who do not pull the author', async () => {
        const world = await newWorld({ celebrityThreshold: 2 });
        const [u, celeb] = [user(), user()];
        await world.apply(followed(user(), celeb), followed(user(), celeb), tagFollowed(u, 'beach'));
        const p = tagged(celeb, 1000, ['beach']);
        await world.apply(p);
        expect(await world.store.celebrityStates([celeb])).toEqual(new Map([[celeb, 'celebrity']]));
        expect(via(await world.readItems(u))).toEqual([[p.data.postId, 'beach']]);
      });

      it('a tag follow backfills its newest posts; older ones stay reachable below the raised floor, marked via', async () => {
        const world = await newWorld({ backfillLimit: 3 });
        const [u, a, b] = [user(), user(), user()];
        const posts = Array.from({ length: 6 }, (_, i) => tagged([a, b][i % 2]!, i * 1000, ['cats']));
        await world.apply(...posts, post(a, 10_000));
        await world.apply(tagFollowed(u, 'cats'));
        const newest = idsNewestFirst(posts);
        expect(await world.feedIds(u)).toEqual(newest.slice(0, 3));
        expect(await world.store.feedFloor(u)).toBe(T0 + 3000);
        expect(await world.readAll(u, 2)).toEqual(newest);
        expect(via(await world.readItems(u, 2))).toEqual(newest.map((id) => [id, 'cats']));
      });

      it('an unfollow of a tag removes only what it alone brought: not one’s own, a followed author’s, or another followed tag’s', async () => {
        const world = await newWorld();
        const [u, stranger, friend] = [user(), user(), user()];
        await world.apply(tagFollowed(u, 'beach'), tagFollowed(u, 'sun'), followed(u, friend));
        const [only, both, byFriend, own, other] = [
          tagged(stranger, 1000, ['beach']),
          tagged(stranger, 2000, ['beach', 'sun']),
          tagged(friend, 3000, ['beach']),
          tagged(u, 4000, ['beach']),
          tagged(stranger, 5000, ['sun']),
        ];
        await world.apply(only, both, byFriend, own, other);
        await world.apply(tagUnfollowed(u, 'beach'));
        expect(via(await world.readItems(u))).toEqual([
          [other.data.postId, 'sun'],
          [own.data.postId, null],
          [byFriend.data.postId, null],
          [both.data.postId, 'sun'],
        ]);
        expect(await world.feedIds(u)).not.toContain(only.data.postId);
        // And an unfollow of the author keeps what a followed tag brought.
        const sunny = tagged(friend, 6000, ['sun']);
        await world.apply(sunny);
        await world.apply(unfollowed(u, friend));
        expect(via(await world.readItems(u))).toEqual([
          [sunny.data.postId, 'sun'],
          [other.data.postId, 'sun'],
          [own.data.postId, null],
          [both.data.postId, 'sun'],
        ]);
      });

      it('a tag chunk landing after the tag’s unfollow takes itself out, unless another reason wants the post', async () => {
        const world = await newWorld();
        const [u, v, a] = [user(), user(), user()];
        await world.apply(tagFollowed(u, 'cats'), tagUnfollowed(u, 'cats'), tagFollowed(v, 'cats'), tagUnfollowed(v, 'cats'), followed(v, a));
        const late = tagged(a, 1000, ['cats']);
        await world.store.addToTimeline(a, entryOf(late));
        await deliverFanOutChunk(world.store, { postId: late.data.postId, authorId: a, score: entryOf(late).score, followerIds: [u, v], tag: 'cats' });
        expect(await world.feedIds(u)).toEqual([]);
        expect(await world.feedIds(v)).toEqual([late.data.postId]);
      });

      it('a deleted tagged post leaves the tags’ timelines and their followers’ feeds; an erasure ends the person’s tag follows', async () => {
        const world = await newWorld();
        const [u, a] = [user(), user()];
        await world.apply(tagFollowed(u, 'cats'), tagFollowed(u, 'dogs'));
        const [keep, gone] = [tagged(a, 1000, ['cats']), tagged(a, 2000, ['cats', 'dogs'])];
        await world.apply(keep, gone);
        await world.apply(deleted(gone));
        expect(await world.feedIds(u)).toEqual([keep.data.postId]);
        expect((await world.store.tagTimelines(['cats', 'dogs'], { limit: 10 })).map((list) => list.map((e) => e.postId))).toEqual([[keep.data.postId], []]);
        expect([...(await world.store.postTags([keep.data.postId, gone.data.postId])).keys()]).toEqual([keep.data.postId]);

        await world.apply(erased(u));
        expect((await world.store.followedTagsOf([u])).get(u)).toEqual([]);
        expect(await world.store.tagFollowersAmongMany([{ tag: 'cats', candidateIds: [u] }])).toEqual([new Set()]);
        expect(await world.feedIds(u)).toEqual([]);
      });
    });
  });
};
