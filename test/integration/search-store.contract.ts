import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extractHashtags, extractMentions, parseCaption } from '../../domain/post/caption.js';
import { CAPTION_MAX_LENGTH, HASHTAG_MAX_LENGTH } from '../../kernel/limits.js';
import { START, streams, type Position, type RecordedEvent } from '../../events/index.js';
import { EXPLORE_WINDOW_DAYS, exploreScore } from '../../projections/search/explore-score.js';
import { EXPLORE_CANDIDATES_PER_LIST, EXPLORE_CURSOR_MAX_AGE_MS, EXPLORE_CURSOR_MAX_SKEW_MS } from '../../projections/search/query-bounds.js';
import type { SearchEvent, SearchStore } from '../../projections/search/search-store.js';
import { syntheticPosition } from '../support/history-arbitraries.js';
import { locationOf, type PlaceInput } from '../../domain/location/location.js';
import { allPages as readAllPages } from '../support/all-pages.js';

/** What a list throws for a cursor it did not hand out. */
const INVALID_CURSOR = { name: 'AppError', code: 'INVALID_CURSOR', status: 400 };

/** Every item of a list, `limit` at a time, each page no longer than `limit`. */
const allPages = <T>(read: Parameters<typeof readAllPages<T>>[0], limit: number) =>
  readAllPages(read, limit, { maxPages: 200, onPage: (page) => expect(page.items.length).toBeLessThanOrEqual(limit) });

// The one contract every SearchStore adapter passes (docs/architecture.md "Search" and "Testing"): PostgreSQL
// full-text + pg_trgm, and Elasticsearch. Assertions stay adapter-neutral: relevance order is
// checked only where the port promises it (exact username first, then followed accounts);
// elsewhere membership, counts, and the orders the port defines exactly ('recent', 'top',
// explore). Each test works in a fresh, empty store of its own, since searches are global.

export interface SearchStoreHarness {
  /** A fresh, empty store that no other test shares (setup() not yet called). */
  newStore(): Promise<SearchStore>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Events, with the streams, revisions and positions the log would give them

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const streamOf = (event: SearchEvent): string => {
  switch (event.type) {
    case 'UserRegistered':
    case 'ProfileUpdated':
    case 'PrivacyChanged':
    case 'AccountDeletionRequested':
    case 'AccountRestored':
    case 'AccountErased':
      return streams.user(event.data.userId);
    case 'PostCreated':
    case 'CaptionEdited':
    case 'PostDeleted':
      return streams.post(event.data.postId);
    case 'Liked':
    case 'Unliked':
      return streams.like(event.data.postId, event.data.userId);
    case 'CommentAdded':
    case 'CommentDeleted':
      return streams.comment(event.data.commentId);
  }
};

let positions = 0;

/** A store and the log that feeds it: events get their stream's next revision and the next position. */
const worldOf = (store: SearchStore) => {
  const revisions = new Map<string, number>();
  const record = (events: readonly SearchEvent[]): RecordedEvent[] =>
    events.map((event) => {
      const streamId = streamOf(event);
      const streamRevision = revisions.get(streamId) ?? 0;
      revisions.set(streamId, streamRevision + 1);
      const eventId = uuidv7();
      return {
        eventId,
        type: event.type,
        schemaVersion: event.type === 'PostCreated' ? 3 : 1,
        data: event.data,
        metadata: { correlationId: eventId, causationId: null, actorId: null, occurredAt: iso(T0) },
        streamId,
        streamRevision,
        position: syntheticPosition(++positions),
        recordedAt: iso(T0),
      };
    });
  /** Applies recorded events as one batch, under the checkpoint key 'search'. */
  const applyRecorded = (recorded: readonly RecordedEvent[], key = 'search') =>
    store.apply(recorded, key, recorded.at(-1)?.position ?? syntheticPosition(++positions));
  return {
    store,
    record,
    applyRecorded,
    /** Records the events and applies them as one batch. */
    apply: (...events: SearchEvent[]) => applyRecorded(record(events)),
  };
};

const registered = (username: string, displayName = username): { id: string; event: SearchEvent } => {
  const id = uuidv7();
  return { id, event: { type: 'UserRegistered', data: { userId: id, username, displayName, registeredAt: iso(T0) } } };
};
const renamed = (userId: string, displayName: string): SearchEvent => ({ type: 'ProfileUpdated', data: { userId, displayName } });

interface PostRef {
  postId: string;
  authorId: string;
}
const captionFields = (caption: string) => ({ caption, hashtags: extractHashtags(caption), mentions: extractMentions(caption) });
const created = (post: PostRef, caption: string, createdAtMs: number): SearchEvent => ({
  type: 'PostCreated',
  data: { ...post, ...captionFields(caption), media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: iso(createdAtMs) },
});
const createdAt = (post: PostRef, place: PlaceInput, createdAtMs: number, caption = ''): SearchEvent => ({
  type: 'PostCreated',
  data: { ...post, ...captionFields(caption), media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: iso(createdAtMs), location: locationOf(place) },
});
const edited = (post: PostRef, caption: string): SearchEvent => ({ type: 'CaptionEdited', data: { ...post, ...captionFields(caption), editedAt: iso(T0) } });
const deleted = (post: PostRef): SearchEvent => ({ type: 'PostDeleted', data: { ...post, deletedAt: iso(T0) } });
const liked = (post: PostRef, userId = uuidv7()): SearchEvent => ({
  type: 'Liked',
  data: { postId: post.postId, userId, postAuthorId: post.authorId, likedAt: iso(T0) },
});
const unliked = (post: PostRef, userId: string): SearchEvent => ({ type: 'Unliked', data: { postId: post.postId, userId } });
const commented = (post: PostRef, commentId = uuidv7()): SearchEvent => ({
  type: 'CommentAdded',
  data: { commentId, postId: post.postId, authorId: uuidv7(), postAuthorId: post.authorId, parentCommentId: null, text: 'nice', mentions: [], createdAt: iso(T0) },
});
const uncommented = (post: PostRef, commentId: string): SearchEvent => ({
  type: 'CommentDeleted',
  data: { commentId, postId: post.postId, deletedBy: post.authorId, deletedAt: iso(T0) },
});

const newPost = (authorId = uuidv7()): PostRef => ({ postId: uuidv7(), authorId });
const likes = (post: PostRef, n: number) => Array.from({ length: n }, () => liked(post));
const comments = (post: PostRef, n: number) => Array.from({ length: n }, () => commented(post));


const sorted = (ids: readonly string[]) => [...ids].sort();

// ---------------------------------------------------------------------------------------------

export const searchStoreContract = (name: string, open: () => Promise<SearchStoreHarness>, options: { skip?: boolean } = {}) => {
  describe.skipIf(options.skip ?? false)(`SearchStore contract: ${name}`, () => {
    let harness: SearchStoreHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness?.close();
    });
    const newWorld = async () => {
      const store = await harness.newStore();
      await store.setup();
      return worldOf(store);
    };

    describe('checkpoints and setup', () => {
      it('starts at START, stores the position of each batch (empty ones too) per key, and survives a second setup', async () => {
        const w = await newWorld();
        expect(await w.store.checkpoint('search')).toBe(START);
        const ann = registered('ann');
        await w.apply(ann.event);
        const first = await w.store.checkpoint('search');
        expect(first).not.toBe(START);
        const later: Position = syntheticPosition(++positions);
        await w.store.apply([], 'search', later);
        expect(await w.store.checkpoint('search')).toBe(later);
        expect(await w.store.checkpoint('search-1of2')).toBe(START);

        await w.store.setup();
        expect(await w.store.checkpoint('search')).toBe(later);
        expect((await w.store.searchUsers({ text: 'ann', prefix: false, followingIds: [], limit: 10 })).map((h) => h.id)).toEqual([ann.id]);
      });
    });

    describe('users', () => {
      it('finds a user by exact username, case-insensitively, as {id, username, displayName}', async () => {
        const w = await newWorld();
        const ann = registered('ann.lee', 'Ann Lee');
        const bob = registered('bob', 'Bobby');
        await w.apply(ann.event, bob.event);
        expect(await w.store.searchUsers({ text: 'ann.lee', prefix: false, followingIds: [], limit: 10 })).toEqual([
          { id: ann.id, username: 'ann.lee', displayName: 'Ann Lee' },
        ]);
        const upper = await w.store.searchUsers({ text: 'BOB', prefix: false, followingIds: [], limit: 10 });
        expect(upper[0]).toEqual({ id: bob.id, username: 'bob', displayName: 'Bobby' });
      });

      it('ranks the exact username first, then followed accounts, then the rest', async () => {
        const w = await newWorld();
        const mark = registered('mark', 'Someone Else');
        const markus = registered('markus', 'Mark Us');
        const marko = registered('marko', 'Marko');
        const twain = registered('mark.twain', 'Mark Twain');
        const marky = registered('mark_y', 'Mark Y');
        await w.apply(markus.event, marko.event, twain.event, marky.event, mark.event);
        const followingIds = [twain.id, marko.id, uuidv7()];
        for (const prefix of [true, false]) {
          const hits = (await w.store.searchUsers({ text: 'mark', prefix, followingIds, limit: 10 })).map((h) => h.id);
          expect(hits[0]).toBe(mark.id);
          if (prefix) {
            expect(sorted(hits.slice(1, 3))).toEqual(sorted([twain.id, marko.id]));
            expect(sorted(hits.slice(3))).toEqual(sorted([markus.id, marky.id]));
          }
        }
        // Without an exact match, followed accounts come first.
        const hits = (await w.store.searchUsers({ text: 'mar', prefix: true, followingIds: [marky.id], limit: 10 })).map((h) => h.id);
        expect(hits[0]).toBe(marky.id);
        expect(sorted(hits)).toEqual(sorted([mark.id, markus.id, marko.id, twain.id, marky.id]));
      });

      it('tolerates typos in usernames and names (one edit in a short word, two in a long one), and finds nothing unrelated', async () => {
        const w = await newWorld();
        const jonathan = registered('jonathan', 'J');
        const christina = registered('christina', 'C');
        const penelope = registered('pcruz', 'Penelope Cruz');
        const bob = registered('bob', 'Bob');
        await w.apply(jonathan.event, christina.event, penelope.event, bob.event);
        const search = async (text: string) => (await w.store.searchUsers({ text, prefix: false, followingIds: [], limit: 10 })).map((h) => h.id);

        expect(await search('jonathon')).toContain(jonathan.id);
        expect(await search('kristina')).toContain(christina.id);
        expect(await search('penelpoe')).toContain(penelope.id);
        expect(await search('penelope')).toContain(penelope.id);
        for (const text of ['jonathon', 'kristina', 'penelope']) expect(await search(text)).not.toContain(bob.id);
        expect(await search('zzqqxx')).toEqual([]);
      });

      it('autocompletes from the beginning of a username or of a word of the name', async () => {
        const w = await newWorld();
        const jon = registered('kingofthenorth', 'Jon Snow');
        const jonathan = registered('jonathan', 'J');
        const other = registered('arya', 'Arya Stark');
        await w.apply(jon.event, jonathan.event, other.event);
        const complete = async (text: string) => sorted((await w.store.searchUsers({ text, prefix: true, followingIds: [], limit: 10 })).map((h) => h.id));

        expect(await complete('jon')).toEqual(sorted([jon.id, jonathan.id]));
        expect(await complete('kingof')).toEqual([jon.id]);
        expect(await complete('sno')).toEqual([jon.id]);
        expect(await complete('Ary')).toEqual([other.id]);
      });

      it('returns at most `limit` hits, and follows display-name changes', async () => {
        const w = await newWorld();
        const users = ['sam', 'sam1', 'sam2', 'sam3', 'sam4', 'sam5'].map((u) => registered(u));
        await w.apply(...users.map((u) => u.event));
        expect(await w.store.searchUsers({ text: 'sam', prefix: true, followingIds: [], limit: 3 })).toHaveLength(3);

        const ann = registered('ann', 'Annabel Smith');
        await w.apply(ann.event);
        await w.apply(renamed(ann.id, 'Zelda Queen'));
        const byNew = await w.store.searchUsers({ text: 'zelda', prefix: false, followingIds: [], limit: 10 });
        expect(byNew).toEqual([{ id: ann.id, username: 'ann', displayName: 'Zelda Queen' }]);
        expect((await w.store.searchUsers({ text: 'annabel', prefix: false, followingIds: [], limit: 10 })).map((h) => h.id)).not.toContain(ann.id);
      });
    });

    describe('posts', () => {
      it('finds posts by caption words and by hashtags, follows caption edits, and forgets deleted posts', async () => {
        const w = await newWorld();
        const [sunset, lake, gone] = [newPost(), newPost(), newPost()];
        await w.apply(
          created(sunset, 'Golden sunset over the harbour #travel', T0),
          created(lake, 'Morning swim in the lake #Travel #summer', T0 + 1),
          created(gone, 'Another sunset', T0 + 2),
        );
        await w.apply(deleted(gone));
        const search = async (text: string) => sorted(await allPages((page) => w.store.searchPosts(text, page), 10));

        expect(await search('sunset')).toEqual([sunset.postId]);
        expect(await search('HARBOUR')).toEqual([sunset.postId]);
        expect(await search('travel')).toEqual(sorted([sunset.postId, lake.postId]));
        expect(await search('#summer')).toEqual([lake.postId]);
        expect(await search('volcano')).toEqual([]);

        await w.apply(edited(lake, 'Evening paddle #kayak'));
        expect(await search('swim')).toEqual([]);
        expect(await search('paddle')).toEqual([lake.postId]);
        expect(await search('kayak')).toEqual([lake.postId]);
      });

      it('pages through every match exactly once', async () => {
        const w = await newWorld();
        const posts = Array.from({ length: 7 }, () => newPost());
        await w.apply(...posts.map((p, i) => created(p, `picnic number ${i} #picnic`, T0 + i * HOUR)));
        const ids = await allPages((page) => w.store.searchPosts('picnic', page), 3);
        expect(sorted(ids)).toEqual(sorted(posts.map((p) => p.postId)));
        await expect(w.store.searchPosts('picnic', { cursor: 'not-a-cursor', limit: 3 })).rejects.toMatchObject(INVALID_CURSOR);
      });
    });

    describe('hashtags', () => {
      it("lists a tag's posts newest first by creation time (not arrival), across pages, whatever the tag's case or '#'", async () => {
        const w = await newWorld();
        const posts = Array.from({ length: 5 }, () => newPost());
        const times = [3, 0, 4, 1, 2].map((h) => T0 + h * HOUR);
        await w.apply(...posts.slice(0, 3).map((p, i) => created(p, `day out #Beach`, times[i]!)));
        await w.apply(...posts.slice(3).map((p, i) => created(p, `#beach again`, times[i + 3]!)));
        await w.apply(created(newPost(), 'elsewhere #mountain', T0));
        const expected = posts.map((p, i) => ({ id: p.postId, at: times[i]! })).sort((a, b) => b.at - a.at).map((p) => p.id);

        expect(await allPages((page) => w.store.postsByHashtag('beach', 'recent', page), 2)).toEqual(expected);
        expect((await w.store.postsByHashtag('#BEACH', 'recent', { limit: 10 })).items).toEqual(expected);
        expect((await w.store.postsByHashtag('nothing', 'recent', {})).items).toEqual([]);
        await expect(w.store.postsByHashtag('beach', 'recent', { cursor: 'x', limit: 2 })).rejects.toMatchObject(INVALID_CURSOR);
      });

      it('moves posts in and out of a tag as captions are edited and posts deleted', async () => {
        const w = await newWorld();
        const [a, b, c] = [newPost(), newPost(), newPost()];
        await w.apply(created(a, '#cats', T0), created(b, '#cats #dogs', T0 + 1), created(c, 'no tags', T0 + 2));
        await w.apply(edited(a, 'now about #dogs'), edited(c, 'joined #cats'), deleted(b));
        expect((await w.store.postsByHashtag('cats', 'recent', {})).items).toEqual([c.postId]);
        expect((await w.store.postsByHashtag('dogs', 'recent', {})).items).toEqual([a.postId]);
      });

      it("orders 'top' by engagement (likes + 2 x comments), ties newest first, counting likes and comments that arrive before the post", async () => {
        const w = await newWorld();
        const [quiet, liked3, commented2, liked1, tie] = [newPost(), newPost(), newPost(), newPost(), newPost()];
        const fan = uuidv7();
        const dropped = uuidv7();
        // Likes and comments first: they are other streams, and may reach the projection before PostCreated.
        await w.apply(...likes(liked3, 3), liked(liked1, fan), liked(liked1, dropped), commented(commented2), ...comments(commented2, 1));
        await w.apply(...likes(tie, 1), commented(liked3, dropped));
        await w.apply(
          created(quiet, '#food', T0),
          created(liked3, '#food', T0 + 1),
          created(commented2, '#food', T0 + 2),
          created(liked1, '#food', T0 + 3),
          created(tie, '#food', T0 + 4),
        );
        await w.apply(unliked(liked1, dropped), uncommented(liked3, dropped));
        // Engagement: commented2 = 4, liked3 = 3, tie = 1 (newer), liked1 = 1, quiet = 0.
        const expected = [commented2, liked3, tie, liked1, quiet].map((p) => p.postId);
        expect((await w.store.postsByHashtag('food', 'top', { limit: 10 })).items).toEqual(expected);
        expect(await allPages((page) => w.store.postsByHashtag('food', 'top', page), 2)).toEqual(expected);
      });

      it('suggests tags by prefix or small typos, most used first, counting live posts only', async () => {
        const w = await newWorld();
        const posts = Array.from({ length: 6 }, () => newPost());
        await w.apply(
          created(posts[0]!, '#beach #beauty', T0),
          created(posts[1]!, '#beach', T0),
          created(posts[2]!, '#beach #sun', T0),
          created(posts[3]!, '#beachlife', T0),
          created(posts[4]!, '#beachlife #beach', T0),
          created(posts[5]!, '#bears', T0),
        );
        // beach: 4 live posts -> 3 after a delete; bears: 1 -> 0 after an edit.
        await w.apply(deleted(posts[4]!), edited(posts[5]!, 'no more tags'));

        expect(await w.store.suggestHashtags('bea', 10)).toEqual([
          { tag: 'beach', posts: 3 },
          { tag: 'beachlife', posts: 1 },
          { tag: 'beauty', posts: 1 },
        ].sort((x, y) => y.posts - x.posts || (x.tag < y.tag ? -1 : 1)));
        expect(await w.store.suggestHashtags('bea', 1)).toEqual([{ tag: 'beach', posts: 3 }]);
        expect(await w.store.suggestHashtags('#Beach', 10)).toContainEqual({ tag: 'beach', posts: 3 });
        expect(await w.store.suggestHashtags('beech', 10)).toContainEqual({ tag: 'beach', posts: 3 });
        expect((await w.store.suggestHashtags('bears', 10)).map((t) => t.tag)).not.toContain('bears');
        expect(await w.store.suggestHashtags('zzqqxx', 10)).toEqual([]);
      });
    });

    // F6: a hashtag (caption text) of a private account is not the public's to see, nor its count.
    describe('hashtags of private accounts', () => {
      const privacy = (userId: string, isPrivate: boolean): SearchEvent => ({ type: 'PrivacyChanged', data: { userId, private: isPrivate } });
      const count = async (store: SearchStore, tag: string) => (await store.suggestHashtags(tag, 10)).find((s) => s.tag === tag)?.posts ?? 0;

      it("counts and suggests only public accounts' live posts; a privacy change moves the author's tags out and back in", async () => {
        const w = await newWorld();
        const [secret, open] = [registered('nightingale'), registered('lark')];
        const [hidden, alsoHidden, shown] = [newPost(secret.id), newPost(secret.id), newPost(open.id)];
        // Private before posting, in the same batch as the posts.
        await w.apply(secret.event, open.event, privacy(secret.id, true), created(hidden, '#projectnightingale #birds', T0), created(shown, '#birds', T0));
        expect(await w.store.suggestHashtags('projectnight', 10)).toEqual([]);
        expect(await w.store.suggestHashtags('projectnightingale', 10)).toEqual([]);
        expect(await w.store.suggestHashtags('birds', 10)).toEqual([{ tag: 'birds', posts: 1 }]);
        // Posted while private, in a later batch; then a typo neighbour must not reveal it either.
        await w.apply(created(alsoHidden, '#projectnightingale', T0 + HOUR));
        expect(await w.store.suggestHashtags('projectnightingal', 10)).toEqual([]);

        await w.apply(privacy(secret.id, false));
        expect(await w.store.suggestHashtags('projectnight', 10)).toEqual([{ tag: 'projectnightingale', posts: 2 }]);
        expect(await count(w.store, 'birds')).toBe(2);

        // Going private again hides every tag of the account, its posts' later edits included.
        await w.apply(privacy(secret.id, true), edited(hidden, '#projectnightingale #moths'));
        expect(await w.store.suggestHashtags('projectnight', 10)).toEqual([]);
        expect(await w.store.suggestHashtags('moths', 10)).toEqual([]);
        expect(await count(w.store, 'birds')).toBe(1);
        // The store still lists the posts under their tags: who may see them is the read path's rule.
        expect(sorted((await w.store.postsByHashtag('projectnightingale', 'recent', {})).items)).toEqual(sorted([hidden.postId, alsoHidden.postId]));
      });

      it('keeps the counts when privacy events are applied again, late or before the posts they cover', async () => {
        const w = await newWorld();
        const secret = registered('wren');
        const [a, b] = [newPost(secret.id), newPost(secret.id)];
        const batches = [
          w.record([secret.event, created(a, '#wrens', T0)]),
          w.record([privacy(secret.id, true)]),
          w.record([created(b, '#wrens', T0 + HOUR), deleted(a)]),
          w.record([privacy(secret.id, false)]),
        ];
        // The privacy changes first, the posts after (another stream, maybe another instance).
        await w.applyRecorded(batches[1]!);
        await w.applyRecorded(batches[3]!);
        await w.applyRecorded(batches[0]!);
        await w.applyRecorded(batches[2]!);
        expect(await count(w.store, 'wrens')).toBe(1);
        for (const batch of batches) await w.applyRecorded(batch, 'again');
        expect(await count(w.store, 'wrens')).toBe(1);
        // A stale copy of the private turn, re-applied after the public one, changes nothing.
        await w.applyRecorded(batches[1]!, 'late');
        expect(await count(w.store, 'wrens')).toBe(1);
      });
    });

    // Account deletion (docs/architecture.md "Account deletion"): during the grace period the
    // account and its posts are found by nobody, a restore brings them back, the erasure blanks
    // the user for good (its posts leave through their own PostDeleted).
    describe('accounts in their deletion grace, restored, erased', () => {
      const deletionRequested = (userId: string): SearchEvent => ({
        type: 'AccountDeletionRequested',
        data: { userId, requestedAt: iso(T0), eraseAfter: iso(T0 + 30 * DAY) },
      });
      const restored = (userId: string): SearchEvent => ({ type: 'AccountRestored', data: { userId, restoredAt: iso(T0 + HOUR) } });
      const erased = (userId: string): SearchEvent => ({ type: 'AccountErased', data: { userId, erasedAt: iso(T0 + 31 * DAY) } });
      const count = async (store: SearchStore, tag: string) => (await store.suggestHashtags(tag, 10)).find((s) => s.tag === tag)?.posts ?? 0;

      /** Everything a store finds of the author `leaving` (and of `staying`, who stays listed). */
      const findings = async (store: SearchStore, now: number) => {
        const users = async (text: string, prefix: boolean) => sorted((await store.searchUsers({ text, prefix, followingIds: [], limit: 10 })).map((h) => h.id));
        return {
          exact: await users('kingfisher', false),
          prefix: await users('kingf', true),
          byName: await users('halcyon', false),
          text: sorted(await allPages((page) => store.searchPosts('riverbank', page), 2)),
          recent: sorted(await allPages((page) => store.postsByHashtag('riverbank', 'recent', page), 2)),
          top: sorted(await allPages((page) => store.postsByHashtag('riverbank', 'top', page), 2)),
          explore: sorted(await allPages((page) => store.explore(new Date(now), page), 2)),
          suggested: await store.suggestHashtags('riverb', 10),
          count: await count(store, 'riverbank'),
        };
      };

      it("hides the account and its posts from every query during the grace, brings them back on restore, and keeps a stranger's untouched", async () => {
        const w = await newWorld();
        const leaving = registered('kingfisher', 'Halcyon Blue');
        const staying = registered('kingfisher.fan', 'Fan');
        const [a, b, c] = [newPost(leaving.id), newPost(leaving.id), newPost(staying.id)];
        const now = T0 + 3 * HOUR;
        await w.apply(leaving.event, staying.event, created(a, 'riverbank dawn #riverbank', T0), created(b, 'riverbank dusk #riverbank', T0 + HOUR));
        await w.apply(created(c, 'riverbank noon #riverbank', T0 + 2 * HOUR), ...likes(a, 3), ...comments(b, 1));
        const before = await findings(w.store, now);
        expect(before).toEqual({
          exact: [leaving.id],
          prefix: sorted([leaving.id, staying.id]),
          byName: [leaving.id],
          text: sorted([a.postId, b.postId, c.postId]),
          recent: sorted([a.postId, b.postId, c.postId]),
          top: sorted([a.postId, b.postId, c.postId]),
          explore: sorted([a.postId, b.postId, c.postId]),
          suggested: [{ tag: 'riverbank', posts: 3 }],
          count: 3,
        });

        await w.apply(deletionRequested(leaving.id));
        const during = {
          exact: [],
          prefix: [staying.id],
          byName: [],
          text: [c.postId],
          recent: [c.postId],
          top: [c.postId],
          explore: [c.postId],
          suggested: [{ tag: 'riverbank', posts: 1 }],
          count: 1,
        };
        expect(await findings(w.store, now)).toEqual(during);
        // A post the author's stream had in flight (created before the request, applied after it) is hidden too.
        const late = newPost(leaving.id);
        await w.apply(created(late, 'riverbank late #riverbank', T0 + 2 * HOUR));
        expect(await findings(w.store, now)).toEqual(during);

        await w.apply(restored(leaving.id));
        expect(await findings(w.store, now)).toEqual({
          ...before,
          text: sorted([a.postId, b.postId, c.postId, late.postId]),
          recent: sorted([a.postId, b.postId, c.postId, late.postId]),
          top: sorted([a.postId, b.postId, c.postId, late.postId]),
          explore: sorted([a.postId, b.postId, c.postId, late.postId]),
          suggested: [{ tag: 'riverbank', posts: 4 }],
          count: 4,
        });
      });

      it('blanks an erased user for good: found by no name, the username free for a new account, even when older batches are applied again', async () => {
        const w = await newWorld();
        const leaving = registered('kingfisher', 'Halcyon Blue');
        const post = newPost(leaving.id);
        const batches = [
          w.record([leaving.event, created(post, 'riverbank #riverbank', T0)]),
          w.record([renamed(leaving.id, 'Halcyon Green'), deletionRequested(leaving.id)]),
          // The erasure worker's cascade (the post's own stream), then the erasure.
          w.record([deleted(post), erased(leaving.id)]),
        ];
        for (const batch of batches) await w.applyRecorded(batch);
        const successor = registered('kingfisher', 'Another Bird');
        await w.apply(successor.event);
        const now = T0 + 3 * HOUR;
        const after = {
          exact: [successor.id],
          prefix: [successor.id],
          byName: [],
          text: [],
          recent: [],
          top: [],
          explore: [],
          suggested: [],
          count: 0,
        };
        expect(await findings(w.store, now)).toEqual(after);
        expect(await w.store.searchUsers({ text: 'kingfisher', prefix: false, followingIds: [], limit: 10 })).toEqual([
          { id: successor.id, username: 'kingfisher', displayName: 'Another Bird' },
        ]);
        // Older batches after the erasure (a late instance, a re-applied batch) bring nothing back.
        await w.applyRecorded(batches[0]!, 'late');
        await w.applyRecorded(batches[1]!, 'late');
        expect(await findings(w.store, now)).toEqual(after);
        for (const batch of batches) await w.applyRecorded(batch, 'again');
        expect(await findings(w.store, now)).toEqual(after);
      });

      it('keeps the counts when lifecycle events are applied again, late or before the posts they cover', async () => {
        const w = await newWorld();
        const leaving = registered('heron');
        const [a, b] = [newPost(leaving.id), newPost(leaving.id)];
        const batches = [
          w.record([leaving.event, created(a, '#herons', T0)]),
          w.record([deletionRequested(leaving.id)]),
          w.record([created(b, '#herons', T0 + HOUR)]),
          w.record([restored(leaving.id)]),
        ];
        // The lifecycle first, the posts after (another stream, maybe another instance).
        await w.applyRecorded(batches[1]!);
        await w.applyRecorded(batches[0]!);
        expect(await count(w.store, 'herons')).toBe(0);
        await w.applyRecorded(batches[3]!);
        await w.applyRecorded(batches[2]!);
        expect(await count(w.store, 'herons')).toBe(2);
        for (const batch of batches) await w.applyRecorded(batch, 'again');
        expect(await count(w.store, 'herons')).toBe(2);
        // A stale copy of the request, re-applied after the restore, changes nothing.
        await w.applyRecorded(batches[1]!, 'late');
        expect(await count(w.store, 'herons')).toBe(2);
        expect(sorted((await w.store.postsByHashtag('herons', 'recent', {})).items)).toEqual(sorted([a.postId, b.postId]));
      });
    });

    describe('explore', () => {
      it('ranks the recent posts of the window by the explore formula, across pages, leaving out old and deleted ones', async () => {
        const w = await newWorld();
        const now = T0 + 10 * DAY;
        const specs = [
          { ageHours: 1, likes: 0, comments: 0 },
          { ageHours: 5, likes: 6, comments: 0 },
          { ageHours: 30, likes: 2, comments: 5 },
          { ageHours: 0.2, likes: 1, comments: 0 },
          { ageHours: 100, likes: 20, comments: 4 },
          { ageHours: 50, likes: 0, comments: 1 },
          { ageHours: 12, likes: 3, comments: 1 },
          { ageHours: 7 * 24 + 1, likes: 50, comments: 50 },
          { ageHours: 2, likes: 9, comments: 9, deleted: true },
        ];
        const posts = specs.map((spec) => ({ ...spec, ref: newPost(), createdAt: now - spec.ageHours * HOUR }));
        await w.apply(...posts.flatMap((p) => [...likes(p.ref, p.likes), ...comments(p.ref, p.comments)]));
        await w.apply(...posts.map((p) => created(p.ref, `post #explore`, p.createdAt)));
        await w.apply(...posts.filter((p) => p.deleted).map((p) => deleted(p.ref)));

        const expected = posts
          .filter((p) => !p.deleted && p.createdAt > now - EXPLORE_WINDOW_DAYS * DAY)
          .map((p) => ({ id: p.ref.postId, score: exploreScore(p, p.createdAt, now) }))
          .sort((a, b) => b.score - a.score)
          .map((p) => p.id);
        expect(expected).toHaveLength(7);
        expect((await w.store.explore(new Date(now), { limit: 20 })).items).toEqual(expected);
        expect(await allPages((page) => w.store.explore(new Date(now), page), 3)).toEqual(expected);
        // A narrower window keeps only the posts younger than it.
        const lastDay = posts.filter((p) => !p.deleted && p.ageHours < 24).map((p) => p.ref.postId);
        expect(sorted((await w.store.explore(new Date(now), { limit: 20 }, 1)).items)).toEqual(sorted(lastDay));
        await expect(w.store.explore(new Date(now), { cursor: 'bad', limit: 3 })).rejects.toMatchObject(INVALID_CURSOR);
      });
    });

    // F12: a cursor is a sort key the list handed out; one it could not have (a score no post has,
    // an instant far from now) is refused instead of ranking another window or scanning it all.
    describe('explore cursors and bounds', () => {
      const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

      it("refuses a forged cursor: a score of 0 or below, an instant over an hour old or ahead of the server's clock", async () => {
        const w = await newWorld();
        const now = T0 + DAY;
        await w.apply(...Array.from({ length: 3 }, (_, i) => created(newPost(), '#x', now - i * HOUR)));
        const id = uuidv7();
        for (const key of [
          [now, -1, id],
          [now, 0, id],
          [now - EXPLORE_CURSOR_MAX_AGE_MS - 1, 0.5, id],
          [now - 30 * DAY, 0.5, id],
          [now + EXPLORE_CURSOR_MAX_SKEW_MS + 1, 0.5, id],
        ]) {
          await expect(w.store.explore(new Date(now), { cursor: forged(key), limit: 1 })).rejects.toMatchObject(INVALID_CURSOR);
        }
        // A cursor it handed out stays good for the hour, and continues the same ranking.
        const first = await w.store.explore(new Date(now), { limit: 1 });
        const later = await w.store.explore(new Date(now + EXPLORE_CURSOR_MAX_AGE_MS - 1), { cursor: first.nextCursor!, limit: 5 });
        expect([...first.items, ...later.items]).toEqual((await w.store.explore(new Date(now), { limit: 5 })).items);
        await expect(w.store.explore(new Date(now + EXPLORE_CURSOR_MAX_AGE_MS + 1), { cursor: first.nextCursor!, limit: 1 })).rejects.toMatchObject(
          INVALID_CURSOR,
        );
      });

      it('ranks exactly by the formula within its bound when the window holds more posts than one list takes', async () => {
        const w = await newWorld();
        // More posts of one day than a list takes: the newest ones all liked, the oldest never.
        const count = EXPLORE_CANDIDATES_PER_LIST + 30;
        const dayStart = Math.floor(T0 / DAY) * DAY;
        const now = dayStart + DAY - 1;
        const posts = Array.from({ length: count }, (_, i) => ({ ref: newPost(), createdAt: now - i * 5 * 60_000, likes: i < EXPLORE_CANDIDATES_PER_LIST ? 1 + ((i * 7) % 5) : 0 }));
        await w.apply(...posts.map((p) => created(p.ref, 'crowded day', p.createdAt)), ...posts.flatMap((p) => likes(p.ref, p.likes)));
        const exact = posts
          .map((p) => ({ id: p.ref.postId, score: exploreScore({ likes: p.likes, comments: 0 }, p.createdAt, now) }))
          .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1))
          .map((p) => p.id);
        const listed = await allPages((page) => w.store.explore(new Date(now), page), 100);
        // Every post listed is in its exact place; only the tail past the bound may be left out.
        expect(listed.length).toBeGreaterThanOrEqual(EXPLORE_CANDIDATES_PER_LIST);
        expect(listed).toEqual(exact.slice(0, listed.length));
      });
    });

    describe('idempotence', () => {
      it('applying the same batches again, or an older batch after newer ones, changes nothing', async () => {
        const w = await newWorld();
        const ann = registered('ann', 'Ann');
        const [p, q] = [newPost(ann.id), newPost(ann.id)];
        const fan = uuidv7();
        const commentId = uuidv7();
        const batches = [
          w.record([ann.event, created(p, 'rainy #one #two', T0), created(q, '#two', T0 + HOUR), liked(p, fan), commented(q, commentId)]),
          w.record([renamed(ann.id, 'Ann B'), edited(p, 'sunny #two #three'), unliked(p, fan), ...likes(q, 2)]),
          w.record([deleted(q), uncommented(q, commentId), liked(p, fan), ...comments(p, 1)]),
        ];
        const count = async (tag: string) => (await w.store.suggestHashtags(tag, 10)).find((s) => s.tag === tag)?.posts ?? 0;
        const observe = async () => ({
          users: await w.store.searchUsers({ text: 'ann', prefix: false, followingIds: [], limit: 10 }),
          counts: { one: await count('one'), two: await count('two'), three: await count('three') },
          two: await w.store.postsByHashtag('two', 'top', {}),
          one: await w.store.postsByHashtag('one', 'recent', {}),
          sunny: await w.store.searchPosts('sunny', {}),
          rainy: await w.store.searchPosts('rainy', {}),
          explore: await w.store.explore(new Date(T0 + 2 * HOUR), {}),
        });
        for (const batch of batches) await w.applyRecorded(batch);
        const once = await observe();
        expect(once.users).toEqual([{ id: ann.id, username: 'ann', displayName: 'Ann B' }]);
        expect(once.counts).toEqual({ one: 0, two: 1, three: 1 });
        expect(once.two.items).toEqual([p.postId]);
        expect(once.one.items).toEqual([]);
        expect(once.sunny.items).toEqual([p.postId]);
        expect(once.rainy.items).toEqual([]);
        expect(once.explore.items).toEqual([p.postId]);

        for (const batch of batches) await w.applyRecorded(batch);
        expect(await observe()).toEqual(once);
        // A stale instance finishing late: older batches land after newer ones.
        await w.applyRecorded(batches[1]!, 'search-again');
        await w.applyRecorded(batches[0]!, 'search-again');
        expect(await observe()).toEqual(once);
      });

      it('keeps like and comment counts exact when batches are re-applied (explore and top rank by them)', async () => {
        const w = await newWorld();
        const [busy, calm] = [newPost(), newPost()];
        const fans = [uuidv7(), uuidv7(), uuidv7()];
        const first = w.record([created(busy, '#x', T0), created(calm, '#x', T0 + HOUR), ...fans.map((fan) => liked(calm, fan))]);
        const second = w.record([...fans.map((fan) => unliked(calm, fan)), liked(busy, uuidv7())]);
        await w.applyRecorded(first);
        await w.applyRecorded(second);
        await w.applyRecorded(first);
        await w.applyRecorded(second);
        // busy: 1 like, calm: none, so busy leads 'top' although calm is newer.
        expect((await w.store.postsByHashtag('x', 'top', {})).items).toEqual([busy.postId, calm.postId]);
      });
    });

    // An event that the index cannot hold would stop the projection at it (docs/architecture.md
    // "Projections"): every text the domain accepts must be indexable, whatever its length or script.
    describe('texts of any length or script', () => {
      // 2,199 Hangul syllables: 6,597 bytes in UTF-8, over a PostgreSQL lexeme's 2,047.
      const hangul = (length: number) => Array.from({ length }, (_, i) => String.fromCodePoint(0xac00 + ((i * 7919) % 11172))).join('');

      it('indexes a caption of one 2,199-syllable #word (not a hashtag: too long), and later posts still arrive', async () => {
        const w = await newWorld();
        const [poison, later] = [newPost(), newPost()];
        const caption = `#${hangul(CAPTION_MAX_LENGTH - 1)}`;
        expect(parseCaption(caption).hashtags).toEqual([]);
        await w.apply(created(poison, caption, T0));
        await w.apply(created(later, 'after #sunset', T0 + HOUR));
        expect((await w.store.postsByHashtag('sunset', 'recent', {})).items).toEqual([later.postId]);
        expect((await w.store.searchPosts('after', {})).items).toEqual([later.postId]);
      });

      it('skips a stored hashtag longer than the limit (an event from before it), indexing the rest of the post', async () => {
        const w = await newWorld();
        const [poison, later] = [newPost(), newPost()];
        const long = hangul(CAPTION_MAX_LENGTH - 10);
        const event: SearchEvent = {
          type: 'PostCreated',
          data: { ...poison, caption: `#${long} #ok`, hashtags: [long, 'ok'], mentions: [], media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: iso(T0) },
        };
        await w.apply(event, created(later, '#ok', T0 + HOUR));
        expect((await w.store.postsByHashtag('ok', 'recent', {})).items).toEqual([later.postId, poison.postId]);
        expect((await w.store.postsByHashtag(long, 'recent', {})).items).toEqual([]);
        expect((await w.store.suggestHashtags('ok', 10)).map((s) => s.tag)).toEqual(['ok']);
      });

      // Words of every script and length (up to the caption's), '#' before some, runs near the
      // hashtag limit; kept only when the domain accepts the caption.
      const piece = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        // At, just past and far past the hashtag limit; 683 syllables are the first over 2,047 bytes.
        fc.constantFrom(HASHTAG_MAX_LENGTH, HASHTAG_MAX_LENGTH + 1, 683, 1500, CAPTION_MAX_LENGTH - 1).map(hangul),
        fc.integer({ min: HASHTAG_MAX_LENGTH - 2, max: HASHTAG_MAX_LENGTH + 2 }).map((n) => '😀'.repeat(n)),
      );
      const anyCaption = fc
        .array(fc.tuple(fc.constantFrom('', '#', '#', '@'), piece), { minLength: 1, maxLength: 5 })
        .map((parts) => parts.map(([sigil, text]) => sigil + text).join(' '))
        .filter((text) => {
          try {
            parseCaption(text);
            return true;
          } catch {
            return false;
          }
        });

      it('indexes any caption the domain accepts without error, under each of its hashtags', async () => {
        const w = await newWorld();
        await fc.assert(
          fc.asyncProperty(anyCaption, async (text) => {
            const { caption, hashtags } = parseCaption(text);
            const post = newPost();
            await w.apply(created(post, caption, T0));
            for (const tag of hashtags) expect((await w.store.postsByHashtag(tag, 'recent', { limit: 100 })).items).toContain(post.postId);
          }),
          { numRuns: 25 },
        );
      });
    });

    describe('places', () => {
      const privacy = (userId: string, isPrivate: boolean): SearchEvent => ({ type: 'PrivacyChanged', data: { userId, private: isPrivate } });
      const flore = { name: 'Café de Flore', lat: 48.85404, lon: 2.33259 };
      const places = (store: SearchStore, text: string, near?: { lat: number; lon: number; radiusKm: number }) => store.searchPlaces({ text, near, limit: 10 });

      it('finds a place by its name, with typos, any case or accents; counts its live posts; shows the least name and the grid point', async () => {
        const w = await newWorld();
        const [a, b, c] = [newPost(), newPost(), newPost()];
        const other = newPost();
        await w.apply(
          createdAt(a, flore, T0),
          createdAt(b, { ...flore, name: '  café   DE flore ' }, T0 + HOUR),
          createdAt(c, flore, T0 + 2 * HOUR),
          createdAt(other, { name: 'Louvre' }, T0),
        );
        const id = locationOf(flore).id;
        expect(locationOf({ ...flore, name: 'CAFE DE FLORE' }).id).toBe(id);
        const expected = { id, name: 'Café de Flore', lat: 48.854, lon: 2.333, postCount: 3 };
        for (const text of ['café de flore', 'CAFE DE FLORE', 'cafe de flroe', 'flore', 'cafe de', 'café']) {
          expect(await places(w.store, text)).toEqual([expected]);
        }
        expect(await w.store.location(id)).toEqual(expected);
        expect(await places(w.store, 'zzqqxx')).toEqual([]);
        expect(await places(w.store, 'louvre')).toEqual([{ id: locationOf({ name: 'Louvre' }).id, name: 'Louvre', postCount: 1 }]);

        await w.apply(deleted(a), deleted(c));
        // 'Café de Flore' went with its posts: the least name of the live ones is the other spelling.
        expect(await w.store.location(id)).toEqual({ ...expected, name: 'café DE flore', postCount: 1 });
        await w.apply(deleted(b));
        expect(await w.store.location(id)).toBeNull();
        expect(await places(w.store, 'flore')).toEqual([]);
        expect(await w.store.location(uuidv7())).toBeNull();
      });

      it('finds places nearby: within the radius only, nearest first, places without coordinates left out', async () => {
        const w = await newWorld();
        const at = (lat: number, lon: number) => ({ name: 'Corner Cafe', lat, lon });
        const [near, nearer, far] = [at(48.86, 2.35), at(48.857, 2.352), at(48.95, 2.35)];
        const nowhere = { name: 'Corner Cafe' };
        await w.apply(...[near, nearer, far, nowhere].map((place, i) => createdAt(newPost(), place, T0 + i * HOUR)));
        const hits = await places(w.store, 'corner cafe', { lat: 48.8566, lon: 2.3522, radiusKm: 5 });
        expect(hits.map((hit) => hit.id)).toEqual([locationOf(nearer).id, locationOf(near).id]);
        const wide = await places(w.store, 'corner cafe', { lat: 48.8566, lon: 2.3522, radiusKm: 50 });
        expect(wide.map((hit) => hit.id)).toEqual([nearer, near, far].map((place) => locationOf(place).id));
        // By name alone, all four (one without coordinates).
        expect(sorted((await places(w.store, 'corner cafe')).map((hit) => hit.id))).toEqual(sorted([near, nearer, far, nowhere].map((place) => locationOf(place).id)));
      });

      it("never finds a place by private accounts' posts alone, nor counts them; a privacy change moves them out and in", async () => {
        const w = await newWorld();
        const [secret, open] = [registered('heron'), registered('egret')];
        const hideout = { name: 'Grandma Cottage' };
        const park = { name: 'Heron Park' };
        await w.apply(secret.event, open.event, privacy(secret.id, true), createdAt(newPost(secret.id), hideout, T0), createdAt(newPost(secret.id), park, T0));
        await w.apply(createdAt(newPost(open.id), park, T0 + HOUR));
        expect(await places(w.store, 'grandma cottage')).toEqual([]);
        expect(await w.store.location(locationOf(hideout).id)).toBeNull();
        expect((await w.store.location(locationOf(park).id))?.postCount).toBe(1);

        await w.apply(privacy(secret.id, false));
        expect((await places(w.store, 'grandma cottage')).map((hit) => hit.id)).toEqual([locationOf(hideout).id]);
        expect((await w.store.location(locationOf(park).id))?.postCount).toBe(2);
        await w.apply(privacy(secret.id, true));
        expect(await w.store.location(locationOf(hideout).id)).toBeNull();
        expect((await w.store.location(locationOf(park).id))?.postCount).toBe(1);
      });

      it('lists a location\'s posts newest first and by engagement, page by page, without deleted ones; batches applied again change nothing', async () => {
        const w = await newWorld();
        const place = { name: 'Pier 39', lat: 37.8087, lon: -122.4098 };
        const posts = Array.from({ length: 5 }, () => newPost());
        const batch = w.record([...posts.map((post, i) => createdAt(post, place, T0 + i * HOUR)), createdAt(newPost(), { name: 'Pier 40' }, T0)]);
        await w.applyRecorded(batch);
        await w.apply(...likes(posts[1]!, 3), ...comments(posts[3]!, 1), ...likes(posts[0]!, 2), deleted(posts[4]!));
        await w.applyRecorded(batch);
        const id = locationOf(place).id;
        const newest = await allPages((page) => w.store.postsByLocation(id, 'recent', page), 2);
        expect(newest).toEqual([posts[3], posts[2], posts[1], posts[0]].map((post) => post!.postId));
        // Engagement: likes + 2 x comments; ties newest first.
        const top = await allPages((page) => w.store.postsByLocation(id, 'top', page), 3);
        expect(top).toEqual([posts[1], posts[3], posts[0], posts[2]].map((post) => post!.postId));
        expect((await w.store.location(id))?.postCount).toBe(4);
        await expect(w.store.postsByLocation(id, 'top', { cursor: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject(INVALID_CURSOR);
      });
    });
  });
};
