import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostLocation, RecordedEvent } from '../../../events/index.js';
import { exploreScore } from '../../../projections/search/explore-score.js';
import { searchTables } from '../../../projections/search/postgres/schema.js';
import { createSearchProjection } from '../../../projections/search/search-projection.js';
import { createPostgresSearchStore } from '../../../projections/search/postgres/store.js';
import type { SearchStore } from '../../../projections/search/search-store.js';
import { assertEndsEqualToFold } from '../../support/fold-property.js';
import { anyHistory, anyInterleaving, type HistoryEvent, type IntentKind } from '../../support/history-arbitraries.js';
import { applyEvents, applyInPartitions, crashThenResume, poolFailingAt } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { allPages } from '../../support/all-pages.js';

// The PostgreSQL search read model against a fold of the history: for random valid histories,
// hashtag counts, each tag's posts ('recent' and 'top', read one per page so that every cursor
// is used), explore, and users looked up by their exact username equal what a plain in-memory
// model of the same events says, however the log interleaves streams, however it is cut into
// batches, after a crash mid-batch and a resume, split over two partitioned instances, and
// applied twice.

// ---- the reference model -----------------------------------------------------------------------

interface Model {
  users: Map<string, { id: string; username: string; displayName: string }>;
  posts: Map<string, { id: string; authorId: string; createdAt: string; hashtags: string[]; deleted: boolean; location?: PostLocation | undefined }>;
  /** Accounts private at the end of the history: their posts' tags count nowhere. */
  privateUsers: Set<string>;
  likes: Set<string>;
  comments: Map<string, { postId: string; deleted: boolean }>;
}

const foldModel = (history: readonly HistoryEvent[]): Model => {
  const m: Model = { users: new Map(), posts: new Map(), privateUsers: new Set(), likes: new Set(), comments: new Map() };
  for (const event of history) {
    switch (event.type) {
      case 'UserRegistered':
        m.users.set(event.data.userId, { id: event.data.userId, username: event.data.username, displayName: event.data.displayName });
        break;
      case 'ProfileUpdated':
        if (event.data.displayName !== undefined) m.users.get(event.data.userId)!.displayName = event.data.displayName;
        break;
      case 'PrivacyChanged':
        if (event.data.private) m.privateUsers.add(event.data.userId);
        else m.privateUsers.delete(event.data.userId);
        break;
      case 'PostCreated':
        m.posts.set(event.data.postId, {
          id: event.data.postId,
          authorId: event.data.authorId,
          createdAt: event.data.createdAt,
          hashtags: event.data.hashtags,
          deleted: false,
          location: event.data.location,
        });
        break;
      case 'CaptionEdited':
        m.posts.get(event.data.postId)!.hashtags = event.data.hashtags;
        break;
      case 'PostDeleted':
        m.posts.get(event.data.postId)!.deleted = true;
        break;
      case 'Liked':
        m.likes.add(`${event.data.postId}|${event.data.userId}`);
        break;
      case 'Unliked':
        m.likes.delete(`${event.data.postId}|${event.data.userId}`);
        break;
      case 'CommentAdded':
        m.comments.set(event.data.commentId, { postId: event.data.postId, deleted: false });
        break;
      case 'CommentDeleted':
        m.comments.get(event.data.commentId)!.deleted = true;
        break;
      default:
        break;
    }
  }
  return m;
};

const byId = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/** What the read model should answer at `now`. */
const expected = (m: Model, tags: readonly string[], now: number) => {
  const live = [...m.posts.values()].filter((p) => !p.deleted);
  const counts = (id: string) => ({
    likes: [...m.likes].filter((key) => key.startsWith(`${id}|`)).length,
    comments: [...m.comments.values()].filter((c) => c.postId === id && !c.deleted).length,
  });
  const engagement = (id: string) => counts(id).likes + 2 * counts(id).comments;
  const newestFirst = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
    Date.parse(b.createdAt) - Date.parse(a.createdAt) || byId(a.id, b.id);
  const tagged = (tag: string) => live.filter((p) => p.hashtags.includes(tag));
  const score = (p: (typeof live)[number]) => exploreScore(counts(p.id), Date.parse(p.createdAt), now);
  return {
    // Hashtag counts: live posts of accounts public now (F6: a private account's tags never show).
    counts: Object.fromEntries(tags.map((tag) => [tag, tagged(tag).filter((p) => !m.privateUsers.has(p.authorId)).length])),
    recent: Object.fromEntries(tags.map((tag) => [tag, tagged(tag).sort(newestFirst).map((p) => p.id)])),
    top: Object.fromEntries(
      tags.map((tag) => [tag, tagged(tag).sort((a, b) => engagement(b.id) - engagement(a.id) || newestFirst(a, b)).map((p) => p.id)]),
    ),
    explore: [...live].sort((a, b) => score(b) - score(a) || byId(a.id, b.id)).map((p) => p.id),
    users: [...m.users.values()],
    // Places: counted and named by the live posts of accounts public now; listed by all live posts.
    locations: Object.fromEntries(
      locationsOf(m).map((location) => {
        const at = live.filter((p) => p.location?.id === location.id);
        const counted = at.filter((p) => !m.privateUsers.has(p.authorId));
        const name = counted.map((p) => p.location!.name).sort()[0];
        const point = location.lat !== undefined && location.lon !== undefined ? { lat: location.lat, lon: location.lon } : {};
        return [
          location.id,
          {
            place: name === undefined ? null : { id: location.id, name, ...point, postCount: counted.length },
            recent: at.sort(newestFirst).map((p) => p.id),
            top: [...at].sort((a, b) => engagement(b.id) - engagement(a.id) || newestFirst(a, b)).map((p) => p.id),
          },
        ];
      }),
    ),
  };
};

/** Every location the history named, once each. */
const locationsOf = (m: Model): PostLocation[] => [
  ...new Map([...m.posts.values()].flatMap((p) => (p.location ? [[p.location.id, p.location] as const] : []))).values(),
];

// ---- what the read model answers -----------------------------------------------------------------


const actual = async (store: SearchStore, m: Model, tags: readonly string[], now: number) => {
  const perTag = async <T>(f: (tag: string) => Promise<T>) => Object.fromEntries(await Promise.all(tags.map(async (tag) => [tag, await f(tag)] as const)));
  return {
    // Suggestions also bring tags within a typo; only the tag itself is compared, 0 when absent.
    counts: await perTag(async (tag) => (await store.suggestHashtags(tag, 100)).find((s) => s.tag === tag)?.posts ?? 0),
    recent: await perTag((tag) => allPages((page) => store.postsByHashtag(tag, 'recent', page))),
    top: await perTag((tag) => allPages((page) => store.postsByHashtag(tag, 'top', page))),
    explore: await allPages((page) => store.explore(new Date(now), page)),
    users: await Promise.all(
      [...m.users.values()].map(async (user) => (await store.searchUsers({ text: user.username, prefix: false, followingIds: [], limit: 5 }))[0]),
    ),
    locations: Object.fromEntries(
      await Promise.all(
        locationsOf(m).map(async ({ id }) => [
          id,
          {
            place: await store.location(id),
            recent: await allPages((page) => store.postsByLocation(id, 'recent', page)),
            top: await allPages((page) => store.postsByLocation(id, 'top', page)),
          },
        ]),
      ),
    ),
  };
};

// ---- the properties ------------------------------------------------------------------------------

let db: TestDatabase;
let store: SearchStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = createPostgresSearchStore(db.pool);
  await store.setup();
});
afterAll(async () => {
  await db.drop();
});

const tables = searchTables('search_');
const reset = () =>
  db.pool.query(`truncate ${[tables.users, tables.posts, tables.postTags, tables.hashtags, tables.likes, tables.comments, tables.postLocations, tables.locations, 'projection_checkpoints'].join(', ')}`);

// What search reads (users, posts and their tags, likes, comments) and what makes it possible
// (follows let users like private accounts' posts; blocks hide users and posts).
const kinds: IntentKind[] = [
  'register', 'updateProfile', 'changePrivacy', 'follow', 'approveRequest', 'block',
  'createPost', 'editCaption', 'deletePost', 'like', 'unlike', 'comment', 'deleteComment', 'tick',
];
const anyLog = anyHistory({ minIntents: 10, maxIntents: 60, kinds }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history)));
const anyBatchSize = fc.integer({ min: 1, max: 25 });
const runs = { numRuns: 20, interruptAfterTimeLimit: 40_000 };

/** Every tag the history ever used, so that tags whose posts all went away are checked too. */
const tagsOf = (history: readonly HistoryEvent[]) => [
  ...new Set(history.flatMap((event) => (event.type === 'PostCreated' || event.type === 'CaptionEdited' ? event.data.hashtags : []))),
];
/** An hour after the last event: every post is within explore's window. */
const nowAfter = (history: readonly HistoryEvent[]) => Date.parse(history.at(-1)!.at) + 3_600_000;

const check = async (history: readonly HistoryEvent[]) => {
  const model = foldModel(history);
  const tags = tagsOf(history);
  const now = nowAfter(history);
  expect(await actual(store, model, tags, now)).toEqual(expected(model, tags, now));
};

const endsEqualToFold = <T>(inputs: fc.Arbitrary<T>, apply: (events: RecordedEvent[], input: T) => Promise<unknown>) =>
  assertEndsEqualToFold({ anyLog, reset, check, runs }, inputs, apply);

describe('search projection (PostgreSQL): the read model equals a fold of the history', () => {
  it('for any interleaving of streams and any batch size, counts, tag pages, explore and users equal the fold', () =>
    endsEqualToFold(anyBatchSize, (events, batchSize) => applyEvents(createSearchProjection(store), events, { batchSize })));

  it('a crash at any query of any batch, then a resume from the checkpoint, ends equal to the fold', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, fc.integer({ min: 1, max: 40 })), (events, [batchSize, failAt]) => {
      const crashing = createSearchProjection(createPostgresSearchStore(poolFailingAt(db.pool, failAt)));
      return crashThenResume(crashing, createSearchProjection(store), events, { batchSize });
    }));

  // A generation being built (mode 'build', this pass its only writer) appends the rows it has
  // never written with COPY (write.ts); a new instance resuming it must know what the crashed one
  // committed, or it appends a row again.
  it('a build, crashed at any query and resumed by a new instance, then finished, ends equal to the fold', () =>
    endsEqualToFold(fc.tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 40 })), async (events, [batchSize, failAt]) => {
      const resumed = createPostgresSearchStore(db.pool, { mode: 'build' });
      await resumed.setup();
      const crashing = createPostgresSearchStore(poolFailingAt(db.pool, failAt), { mode: 'build' });
      await crashThenResume(createSearchProjection(crashing), createSearchProjection(resumed), events, { batchSize, replay: true });
      await resumed.finishBuild();
    }));

  it('two partitioned instances applying concurrently, each its own streams, end equal to the fold', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, anyBatchSize), (events, sizes) => applyInPartitions(createSearchProjection(store), events, sizes)));

  it('applying the whole history twice, then a stale slice of it (older events after newer ones), changes nothing', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, anyBatchSize, fc.nat(), fc.nat()), async (events, [first, second, from, length]) => {
      const projection = createSearchProjection(store);
      await applyEvents(projection, events, { batchSize: first });
      // Another checkpoint key starts from the beginning of the log over the same tables.
      await applyEvents(projection, events, { batchSize: second, checkpointKey: 'search-again', replay: true });
      // An instance that read a stretch of the log long ago delivers it now, as one batch.
      const start = from % events.length;
      const slice = events.slice(start, start + 1 + (length % 30)).filter((event) => (projection.eventTypes as readonly string[]).includes(event.type));
      await projection.apply({ events: slice, position: events[start]!.position, replay: false }, 'search-stale');
    }));
});
