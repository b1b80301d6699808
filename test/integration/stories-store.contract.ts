import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaItem, Position } from '../../events/index.js';
import { createStoriesReader, type StoriesReader } from '../../projections/stories/stories-reader.js';
import type { StoriesEvent, StoriesStore, Story, StoryViewer } from '../../projections/stories/stories-store.js';
import type { Page } from '../../projections/runtime/page.js';
import { storyFactsOf } from '../../projections/stories/story-facts.js';
import { syntheticPosition } from '../support/history-arbitraries.js';

/** What a list throws for a cursor it did not hand out. */
const INVALID_CURSOR = { name: 'AppError', code: 'INVALID_CURSOR', status: 400 };

// The one contract every StoriesStore adapter passes, through the reader built on it. The tests
// share one store: each makes up its own ids, and the expiry-queue tests live in 2001, before
// every other test's stories, so that what is due then is theirs alone.

export interface StoriesStoreUnderTest {
  store: StoriesStore;
  cleanup(): Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const media: MediaItem = { url: 'media/s.jpg', type: 'image', width: 1080, height: 1920 };

const posted = (storyId: string, authorId: string, postedAtMs: number, ttlMs = HOUR): StoriesEvent => ({
  type: 'StoryPosted',
  data: { storyId, authorId, media, postedAt: iso(postedAtMs), expiresAt: iso(postedAtMs + ttlMs) },
});
const viewed = (storyId: string, authorId: string, viewerId: string, viewedAtMs: number): StoriesEvent => ({
  type: 'StoryViewed',
  data: { storyId, authorId, viewerId, viewedAt: iso(viewedAtMs) },
});
const deleted = (storyId: string, authorId: string, deletedAtMs: number): StoriesEvent => ({
  type: 'StoryDeleted',
  data: { storyId, authorId, deletedAt: iso(deletedAtMs) },
});
const expired = (storyId: string, authorId: string, expiredAtMs: number): StoriesEvent => ({
  type: 'StoryExpired',
  data: { storyId, authorId, expiredAt: iso(expiredAtMs) },
});

const storyOf = (event: StoriesEvent, state: Story['state'] = 'active'): Story => {
  if (event.type !== 'StoryPosted') throw new Error('a StoryPosted was expected');
  const { storyId, authorId, postedAt, expiresAt } = event.data;
  return { id: storyId, authorId, media: event.data.media, postedAt, expiresAt, state, sharedPost: event.data.sharedPost ?? null };
};

export const storiesStoreContract = (name: string, makeStore: () => Promise<StoriesStoreUnderTest>, options: { skip?: boolean } = {}) => {
  describe.skipIf(options.skip ?? false)(`StoriesStore contract: ${name}`, () => {
    let underTest: StoriesStoreUnderTest;
    let store: StoriesStore;
    let reader: StoriesReader;
    let batches = 0;
    /** Applies events as the next batch of the log, under the checkpoint key 'contract'. */
    const apply = (...events: StoriesEvent[]) => store.write(storyFactsOf(events), 'contract', syntheticPosition(batches++));

    beforeAll(async () => {
      underTest = await makeStore();
      store = underTest.store;
      reader = createStoriesReader(store);
      await store.setup();
    });
    afterAll(() => underTest.cleanup());

    it('reads back a posted story exactly, and null for a story it never saw posted', async () => {
      const author = uuidv7();
      const post = posted(uuidv7(), author, T0);
      await apply(post);
      expect(await reader.story(storyOf(post).id)).toEqual(storyOf(post));
      expect(await reader.story(uuidv7())).toBeNull();
    });

    it('keeps the post a shared story shows, through its deletion too, in the story and the live lists', async () => {
      const author = uuidv7();
      const sharedPost = { postId: uuidv7(), authorId: uuidv7() };
      const share = posted(uuidv7(), author, T0);
      if (share.type === 'StoryPosted') share.data.sharedPost = sharedPost;
      const ordinary = posted(uuidv7(), author, T0 + 1);
      await apply(share, ordinary);
      expect(await reader.story(storyOf(share).id)).toEqual(storyOf(share));
      expect((await reader.activeStories([author], iso(T0 + 2))).get(author)?.map((s) => s.sharedPost)).toEqual([sharedPost, null]);
      await apply(deleted(storyOf(share).id, author, T0 + 3));
      expect((await reader.story(storyOf(share).id))?.sharedPost).toEqual(sharedPost);
    });

    it("lists each requested author's live stories oldest first, hiding deleted, expired and past-expiry ones", async () => {
      const [ann, bob, cat] = [uuidv7(), uuidv7(), uuidv7()];
      const first = posted(uuidv7(), ann, T0);
      const second = posted(uuidv7(), ann, T0 + 10 * MINUTE);
      const gone = posted(uuidv7(), ann, T0 + 5 * MINUTE);
      const ended = posted(uuidv7(), ann, T0 - 30 * MINUTE);
      const overdue = posted(uuidv7(), ann, T0 - 2 * HOUR);
      const bobs = posted(uuidv7(), bob, T0 + MINUTE);
      // Out of posting order on purpose: the list is ordered by postedAt, not by arrival.
      await apply(second, overdue, bobs);
      await apply(first, gone, ended);
      await apply(deleted(storyOf(gone).id, ann, T0 + 6 * MINUTE), expired(storyOf(ended).id, ann, T0 + 30 * MINUTE));

      const now = iso(T0 + 20 * MINUTE);
      const live = await reader.activeStories([ann, bob, cat], now);
      expect(live).toEqual(
        new Map([
          [ann, [storyOf(first), storyOf(second)]],
          [bob, [storyOf(bobs)]],
          [cat, []],
        ]),
      );
      // A story is live strictly before its expiresAt; Date or ISO string alike.
      const atFirstExpiry = await reader.activeStories([ann], new Date(T0 + HOUR));
      expect(atFirstExpiry.get(ann)).toEqual([storyOf(second)]);
    });

    it('reads a story past its expiresAt as expired before StoryExpired lands, and keeps the logged state otherwise', async () => {
      const author = uuidv7();
      const post = posted(uuidv7(), author, T0);
      const id = storyOf(post).id;
      await apply(post);
      expect((await reader.story(id, iso(T0 + HOUR - 1)))?.state).toBe('active');
      expect((await reader.story(id, iso(T0 + HOUR)))?.state).toBe('expired');
      expect((await reader.story(id))?.state).toBe('active');
      await apply(expired(id, author, T0 + HOUR));
      expect(await reader.story(id)).toEqual(storyOf(post, 'expired'));
      // An expired story may still be deleted; deletion is what it then reads as.
      await apply(deleted(id, author, T0 + 2 * HOUR));
      expect(await reader.story(id, iso(T0))).toEqual(storyOf(post, 'deleted'));
    });

    it('counts a view projected before its StoryPosted (another stream, so no order between them)', async () => {
      const [author, viewer] = [uuidv7(), uuidv7()];
      const post = posted(uuidv7(), author, T0);
      const id = storyOf(post).id;
      await apply(viewed(id, author, viewer, T0 + MINUTE));
      expect(await reader.story(id)).toBeNull();
      await apply(post);
      expect(await reader.seenBy(viewer, [id, uuidv7()])).toEqual(new Set([id]));
      expect(await reader.viewers(id)).toEqual({ items: [{ viewerId: viewer, viewedAt: iso(T0 + MINUTE) }], nextCursor: null });
      const [entry] = await reader.tray(viewer, [author], iso(T0 + 2 * MINUTE));
      expect(entry).toMatchObject({ authorId: author, hasUnseen: false, stories: [{ id, seen: true }] });
    });

    it('puts authors with unseen stories first in the tray, then the latest poster first, and leaves out authors with nothing live', async () => {
      const viewer = uuidv7();
      const [older, newer, allSeen, quiet, gone] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
      const olderSeen = posted(uuidv7(), older, T0);
      const olderUnseen = posted(uuidv7(), older, T0 + MINUTE);
      const newerUnseen = posted(uuidv7(), newer, T0 + 2 * MINUTE);
      const seenLatest = posted(uuidv7(), allSeen, T0 + 3 * MINUTE);
      const expiredAlready = posted(uuidv7(), quiet, T0 - 2 * HOUR);
      const deletedOne = posted(uuidv7(), gone, T0);
      await apply(olderSeen, olderUnseen, newerUnseen, seenLatest, expiredAlready, deletedOne, deleted(storyOf(deletedOne).id, gone, T0 + MINUTE));
      await apply(viewed(storyOf(olderSeen).id, older, viewer, T0 + 4 * MINUTE), viewed(storyOf(seenLatest).id, allSeen, viewer, T0 + 4 * MINUTE));

      const tray = await reader.tray(viewer, [allSeen, quiet, older, gone, newer, older], iso(T0 + 5 * MINUTE));
      expect(tray).toEqual([
        {
          authorId: newer,
          hasUnseen: true,
          latestPostedAt: iso(T0 + 2 * MINUTE),
          stories: [{ ...storyOf(newerUnseen), seen: false }],
        },
        {
          authorId: older,
          hasUnseen: true,
          latestPostedAt: iso(T0 + MINUTE),
          stories: [
            { ...storyOf(olderSeen), seen: true },
            { ...storyOf(olderUnseen), seen: false },
          ],
        },
        { authorId: allSeen, hasUnseen: false, latestPostedAt: iso(T0 + 3 * MINUTE), stories: [{ ...storyOf(seenLatest), seen: true }] },
      ]);
      expect(await reader.tray(viewer, [], iso(T0))).toEqual([]);
    });

    it('pages viewers newest first through ties in one millisecond, stable while new views arrive', async () => {
      const author = uuidv7();
      const post = posted(uuidv7(), author, T0);
      const id = storyOf(post).id;
      const viewers = Array.from({ length: 7 }, () => uuidv7());
      // Three views share a millisecond: the viewer id (descending) orders them.
      const times = [T0 + 1000, T0 + 2000, T0 + 2000, T0 + 2000, T0 + 3000, T0 + 4000, T0 + 5000];
      await apply(post, ...viewers.map((viewer, i) => viewed(id, author, viewer, times[i]!)));
      const expected = viewers
        .map((viewerId, i) => ({ viewerId, viewedAt: iso(times[i]!) }))
        .sort((a, b) => Date.parse(b.viewedAt) - Date.parse(a.viewedAt) || (a.viewerId < b.viewerId ? 1 : -1));

      const first = await reader.viewers(id, { limit: 2 });
      expect(first.items).toEqual(expected.slice(0, 2));
      // A view arriving now is newer than all: it goes to the front, not into later pages.
      await apply(viewed(id, author, uuidv7(), T0 + 9000));
      const rest: typeof expected = [];
      for (let cursor = first.nextCursor; cursor !== null; ) {
        const page: Page<StoryViewer> = await reader.viewers(id, { cursor, limit: 2 });
        rest.push(...page.items);
        cursor = page.nextCursor;
      }
      expect(rest).toEqual(expected.slice(2));
      expect((await reader.viewers(id, { limit: 8 })).nextCursor).toBeNull();
      expect((await reader.viewers(uuidv7())).items).toEqual([]);
    });

    it('serves 20 viewers by default and at most 100 per page', async () => {
      const author = uuidv7();
      const post = posted(uuidv7(), author, T0);
      const id = storyOf(post).id;
      await apply(post, ...Array.from({ length: 105 }, (_, i) => viewed(id, author, uuidv7(), T0 + i)));
      const byDefault = await reader.viewers(id);
      expect(byDefault.items).toHaveLength(20);
      const largest = await reader.viewers(id, { limit: 1000 });
      expect(largest.items).toHaveLength(100);
      expect((await reader.viewers(id, { cursor: largest.nextCursor ?? undefined, limit: 100 })).items.map((v) => v.viewedAt)).toEqual(
        [4, 3, 2, 1, 0].map((i) => iso(T0 + i)),
      );
    });

    it('refuses a cursor it did not make', async () => {
      for (const cursor of ['nonsense', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1.5,"x"]').toString('base64url')]) {
        await expect(reader.viewers(uuidv7(), { cursor })).rejects.toMatchObject(INVALID_CURSOR);
      }
    });

    it('queues for expiry the stories due at a time, earliest first, until their StoryExpired or StoryDeleted is projected', async () => {
      const base = Date.parse('2001-01-01T00:00:00.000Z');
      const author = uuidv7();
      const [a, b, c, d, later] = [0, 1, 2, 3, 4].map((i) => posted(uuidv7(), author, base + i * MINUTE));
      const ids = [a, b, c, d, later].map((event) => storyOf(event!).id);
      await apply(d!, b!, later!, a!, c!);
      const dueAt = iso(base + HOUR + 3 * MINUTE);
      expect(await reader.dueForExpiry(dueAt, 10)).toEqual(ids.slice(0, 4));
      expect(await reader.dueForExpiry(dueAt, 2)).toEqual(ids.slice(0, 2));
      expect(await reader.dueForExpiry(iso(base + HOUR - 1), 10)).toEqual([]);

      await apply(expired(ids[0]!, author, base + HOUR), deleted(ids[2]!, author, base + 10 * MINUTE));
      expect(await reader.dueForExpiry(dueAt, 10)).toEqual([ids[1], ids[3]]);
    });

    it('never brings an ended story back when an older batch is applied again late (a stale instance)', async () => {
      const base = Date.parse('2001-02-01T00:00:00.000Z');
      const author = uuidv7();
      const post = posted(uuidv7(), author, base);
      const id = storyOf(post).id;
      await apply(post);
      await apply(deleted(id, author, base + MINUTE));
      await apply(post);
      expect(await reader.dueForExpiry(iso(base + 2 * HOUR), 100)).not.toContain(id);
      expect(await reader.story(id)).toEqual(storyOf(post, 'deleted'));
      expect((await reader.activeStories([author], iso(base + MINUTE))).get(author)).toEqual([]);
    });

    // docs/architecture.md "Account deletion": the stories read model does not subscribe to the
    // erasure. Its cascade deletes every story of the person (StoryDeleted), and their views of
    // others' stories stay as bare ids, which the read path never names (the profiles reader
    // knows no erased account) and a rebuild brings back from the log all the same.
    it("after an erasure's cascade the person has nothing live, in no tray, and their views stay by id only", async () => {
      const [gone, other, fan] = [uuidv7(), uuidv7(), uuidv7()];
      const theirs = [posted(uuidv7(), gone, T0), posted(uuidv7(), gone, T0 + MINUTE)];
      const seen = posted(uuidv7(), other, T0);
      const [s1, s2] = theirs.map((event) => storyOf(event).id) as [string, string];
      const o1 = storyOf(seen).id;
      await apply(...theirs, seen, viewed(o1, other, gone, T0 + 2 * MINUTE), viewed(s1, gone, fan, T0 + 3 * MINUTE));
      await apply(deleted(s1, gone, T0 + 4 * MINUTE), deleted(s2, gone, T0 + 4 * MINUTE));

      const now = T0 + 5 * MINUTE;
      expect(await reader.activeStories([gone], iso(now))).toEqual(new Map([[gone, []]]));
      expect((await reader.tray(fan, [gone, other], iso(now))).map((entry) => entry.authorId)).toEqual([other]);
      for (const id of [s1, s2]) expect((await reader.story(id, iso(now)))?.state).toBe('deleted');
      expect((await reader.viewers(o1)).items).toEqual([{ viewerId: gone, viewedAt: iso(T0 + 2 * MINUTE) }]);
      expect(await reader.seenBy(gone, [o1, s1])).toEqual(new Set([o1]));
    });

    it('changes nothing when a batch is applied twice, or holds an event twice', async () => {
      const [author, viewer] = [uuidv7(), uuidv7()];
      const post = posted(uuidv7(), author, T0);
      const id = storyOf(post).id;
      const view = viewed(id, author, viewer, T0 + MINUTE);
      const snapshot = async () => ({
        story: await reader.story(id),
        live: await reader.activeStories([author], iso(T0 + 2 * MINUTE)),
        viewers: await reader.viewers(id),
        tray: await reader.tray(viewer, [author], iso(T0 + 2 * MINUTE)),
      });
      await apply(post, view);
      const once = await snapshot();
      await apply(post, view, view, post);
      expect(await snapshot()).toEqual(once);
      expect(once.viewers.items).toHaveLength(1);
    });

    it('stores a checkpoint per key after the writes, and never moves it backwards', async () => {
      const key = `stories-${uuidv7()}`;
      const other = `${key}-other`;
      const at = (n: number): Position => syntheticPosition(1_000_000 + n);
      expect(await store.checkpoint(key)).toBe('');
      await store.write(storyFactsOf([posted(uuidv7(), uuidv7(), T0)]), key, at(5));
      await store.write(storyFactsOf([]), key, at(3));
      expect(await store.checkpoint(key)).toBe(at(5));
      await store.write(storyFactsOf([]), other, at(1));
      expect(await store.checkpoint(other)).toBe(at(1));
      expect(await store.checkpoint(key)).toBe(at(5));
    });

    it('sets up again without harm, also several times at once', async () => {
      await Promise.all([store.setup(), store.setup(), store.setup()]);
      const post = posted(uuidv7(), uuidv7(), T0);
      await apply(post);
      expect(await reader.story(storyOf(post).id)).toEqual(storyOf(post));
    });
  });
};
