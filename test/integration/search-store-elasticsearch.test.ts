import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RecordedEvent } from '../../events/index.js';
import { exploreScore } from '../../projections/search/explore-score.js';
import { searchIndexes, dropSearchIndexes } from '../../projections/search/elasticsearch/indexes.js';
import { createSearchProjection } from '../../projections/search/search-projection.js';
import { createElasticsearchSearchStore } from '../../projections/search/elasticsearch/store.js';
import { createPostgresSearchStore } from '../../projections/search/postgres/store.js';
import type { SearchStore } from '../../projections/search/search-store.js';
import { anyHistory, anyInterleaving, syntheticPosition, toRecordedEvents, type HistoryEvent, type IntentKind } from '../support/history-arbitraries.js';
import { applyEvents } from '../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { searchStoreContract } from './search-store.contract.js';
import { allPages as pagesOf } from '../support/all-pages.js';

/** Every item of a list, two at a time. */
const allPages = <T>(read: Parameters<typeof pagesOf<T>>[0]) => pagesOf(read, 2);

// The SearchStore contract against a real Elasticsearch (started for the run by the global
// setup), then what only this adapter has: aliases over versioned indexes, generations under
// prefixes, and, for random valid histories applied by two partitioned instances at once or
// cut by a crash at any request, the same answers as the PostgreSQL adapter applying the log in
// order (which search-projection.test.ts checks against a fold of the history).

const client = new Client({ node: inject('elasticsearchUrl') });
const newPrefix = () => `t${randomBytes(5).toString('hex')}-`;

let db: TestDatabase;
const prefixes: string[] = [];

/** A fresh store under a prefix of its own (indexes and checkpoint rows), dropped after the file. */
const elasticsearchStore = (esClient: Client = client, prefix = newPrefix()) => {
  prefixes.push(prefix);
  return { prefix, store: createElasticsearchSearchStore(esClient, db.pool, { prefix }) };
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const prefix of new Set(prefixes)) await dropSearchIndexes(client, searchIndexes(prefix));
  await db.drop();
  await client.close();
});

searchStoreContract('Elasticsearch', async () => ({
  newStore: async () => elasticsearchStore().store,
  close: async () => undefined,
}));

let positions = 0;
const AT = '2025-01-01T00:00:00.000Z';
const recorded = (type: string, data: object, streamId: string, streamRevision: number): RecordedEvent => ({
  eventId: uuidv7(),
  type,
  schemaVersion: type === 'PostCreated' ? 2 : 1,
  data,
  metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: AT },
  streamId,
  streamRevision,
  position: syntheticPosition(++positions),
  recordedAt: AT,
});

/** The user's registration (revision 0) or a later rename. */
const registered = (userId: string, username: string, revision: number): RecordedEvent =>
  revision === 0
    ? recorded('UserRegistered', { userId, username, displayName: username, registeredAt: AT }, `user-${userId}`, 0)
    : recorded('ProfileUpdated', { userId, displayName: username }, `user-${userId}`, revision);

const usernames = async (store: SearchStore, text: string) =>
  (await store.searchUsers({ text, prefix: false, followingIds: [], limit: 10 })).map((hit) => hit.username);

describe('Elasticsearch search indexes', () => {
  it('reads and writes through aliases, so a rebuilt index swapped in serves at once, and setup leaves the swap alone', async () => {
    const { prefix, store } = elasticsearchStore();
    await store.setup();
    const { users } = searchIndexes(prefix);
    expect(Object.keys(await client.indices.getAlias({ name: users.alias }))).toEqual([users.index]);
    await store.apply([registered(uuidv7(), 'old.generation', 0)], 'search', syntheticPosition(1));
    expect(await usernames(store, 'old.generation')).toEqual(['old.generation']);

    // A rebuild fills another version of the index (the template gives it the mappings), then swaps.
    const rebuilt = `${users.alias}-v2`;
    await client.indices.create({ index: rebuilt });
    await client.index({ index: rebuilt, id: 'x', document: { id: uuidv7(), username: 'new.generation', displayName: 'N', private: false }, refresh: true });
    await client.indices.updateAliases({
      actions: [{ remove: { index: users.index, alias: users.alias } }, { add: { index: rebuilt, alias: users.alias, is_write_index: true } }],
    });
    expect(await usernames(store, 'old.generation')).toEqual([]);
    expect(await usernames(store, 'new.generation')).toEqual(['new.generation']);

    await store.setup();
    expect(Object.keys(await client.indices.getAlias({ name: users.alias }))).toEqual([rebuilt]);
    await expect(client.index({ index: rebuilt, document: { unknown: 1 } })).rejects.toThrow(/strict/);
  });

  it('keeps two prefixes apart, checkpoints included, so a rebuild can run beside the live generation', async () => {
    const live = elasticsearchStore().store;
    const next = elasticsearchStore().store;
    await Promise.all([live.setup(), next.setup()]);
    await live.apply([registered(uuidv7(), 'only.live', 0)], 'search', syntheticPosition(1));
    expect(await usernames(live, 'only.live')).toEqual(['only.live']);
    expect(await usernames(next, 'only.live')).toEqual([]);
    expect(await next.checkpoint('search')).toBe('');
    expect(await live.checkpoint('search')).toBe(syntheticPosition(1));
  });

  it('ignores stale writes (version conflicts): an older batch applied after newer ones changes neither users nor counts', async () => {
    const { store } = elasticsearchStore();
    await store.setup();
    const [userId, fanId, quiet, popular, commentId] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const like = `like-${quiet}-${fanId}`;
    const comment = `comment-${commentId}`;
    const created = (postId: string, createdAt: string) =>
      recorded('PostCreated', { postId, authorId: userId, caption: '#stale', hashtags: ['stale'], mentions: [], media: [{ url: 'm.jpg', type: 'image' }], createdAt }, `post-${postId}`, 0);
    const older = [
      registered(userId, 'vera', 0),
      registered(userId, 'Second', 1),
      created(popular, '2025-01-01T00:00:00.000Z'),
      created(quiet, '2025-01-01T01:00:00.000Z'),
      recorded('Liked', { postId: popular, userId: fanId, postAuthorId: userId, likedAt: AT }, `like-${popular}-${fanId}`, 0),
      recorded('Liked', { postId: quiet, userId: fanId, postAuthorId: userId, likedAt: AT }, like, 0),
      recorded('CommentAdded', { commentId, postId: quiet, authorId: fanId, postAuthorId: userId, parentCommentId: null, text: 'hi', mentions: [], createdAt: AT }, comment, 0),
    ];
    const newer = [
      registered(userId, 'Third', 2),
      recorded('Unliked', { postId: quiet, userId: fanId }, like, 1),
      recorded('CommentDeleted', { commentId, postId: quiet, deletedBy: userId, deletedAt: AT }, comment, 1),
    ];
    const observe = async () => ({
      user: (await store.searchUsers({ text: 'vera', prefix: false, followingIds: [], limit: 1 }))[0]?.displayName,
      top: (await store.postsByHashtag('stale', 'top', {})).items,
    });
    await store.apply(older, 'search', older.at(-1)!.position);
    // quiet: 1 like + 1 comment = 3, popular: 1.
    expect(await observe()).toEqual({ user: 'Second', top: [quiet, popular] });
    await store.apply(newer, 'search', newer.at(-1)!.position);
    expect(await observe()).toEqual({ user: 'Third', top: [popular, quiet] });
    await store.apply(older, 'search', older.at(-1)!.position);
    expect(await observe()).toEqual({ user: 'Third', top: [popular, quiet] });
  });
});

describe('Elasticsearch explore', () => {
  it('ranks exactly by the formula when the window holds many more posts than one read (the threshold stops early only when safe)', async () => {
    const { store } = elasticsearchStore();
    await store.setup();
    const now = Date.parse('2025-06-01T12:00:00.000Z');
    const HOUR = 3_600_000;
    // Old and much liked, fresh and quiet, and everything between: the two sorted lists disagree.
    const posts = fc.sample(fc.record({ ageHours: fc.double({ min: 0, max: 8 * 24, noNaN: true }), likes: fc.nat(12) }), { numRuns: 450, seed: 42 });
    const authorId = uuidv7();
    const withIds = posts.map((p) => ({ ...p, postId: uuidv7(), createdAt: Math.round(now - p.ageHours * HOUR) }));
    const events = withIds.flatMap((p) => [
      recorded('PostCreated', { postId: p.postId, authorId, caption: 'x', hashtags: [], mentions: [], media: [{ url: 'm.jpg', type: 'image' }], createdAt: new Date(p.createdAt).toISOString() }, `post-${p.postId}`, 0),
      ...Array.from({ length: p.likes }, () => {
        const userId = uuidv7();
        return recorded('Liked', { postId: p.postId, userId, postAuthorId: authorId, likedAt: AT }, `like-${p.postId}-${userId}`, 0);
      }),
    ]);
    await store.apply(events, 'search', events.at(-1)!.position);

    const expected = withIds
      .filter((p) => p.createdAt > now - 7 * 24 * HOUR)
      .map((p) => ({ id: p.postId, score: exploreScore({ likes: p.likes, comments: 0 }, p.createdAt, now) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1))
      .map((p) => p.id);
    expect(expected.length).toBeGreaterThan(300);
    expect((await store.explore(new Date(now), { limit: 20 })).items).toEqual(expected.slice(0, 20));
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.explore(new Date(now), { cursor, limit: 100 });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(all).toEqual(expected);
  });
});

// ---- the Elasticsearch adapter answers as the PostgreSQL one does ------------------------------


const tagsOf = (history: readonly HistoryEvent[]) => [
  ...new Set(history.flatMap((event) => (event.type === 'PostCreated' || event.type === 'CaptionEdited' ? event.data.hashtags : []))),
];
const usernamesOf = (history: readonly HistoryEvent[]) => history.flatMap((event) => (event.type === 'UserRegistered' ? [event.data.username] : []));

/** What both adapters define exactly: tag counts, 'recent' and 'top' pages, explore, exact usernames. */
const observe = async (store: SearchStore, history: readonly HistoryEvent[]) => {
  const now = Date.parse(history.at(-1)!.at) + 3_600_000;
  const perTag = <T>(read: (tag: string) => Promise<T>) => Promise.all(tagsOf(history).map(async (tag) => [tag, await read(tag)] as const));
  return {
    counts: await perTag(async (tag) => (await store.suggestHashtags(tag, 100)).find((s) => s.tag === tag)?.posts ?? 0),
    recent: await perTag((tag) => allPages((page) => store.postsByHashtag(tag, 'recent', page))),
    top: await perTag((tag) => allPages((page) => store.postsByHashtag(tag, 'top', page))),
    explore: await allPages((page) => store.explore(new Date(now), page)),
    users: await Promise.all(usernamesOf(history).map(async (name) => (await store.searchUsers({ text: name, prefix: false, followingIds: [], limit: 1 }))[0])),
  };
};

class InjectedFailure extends Error {}

/** A client whose `failAt`-th write or read of a batch (bulk, mget, msearch) throws before it is sent. */
const clientFailingAt = (failAt: number): Client => {
  let count = 0;
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (property !== 'bulk' && property !== 'mget' && property !== 'msearch') return value;
      return (...args: unknown[]) => {
        if (++count === failAt) throw new InjectedFailure(`injected failure at request ${count}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
};

const kinds: IntentKind[] = ['register', 'updateProfile', 'changePrivacy', 'follow', 'approveRequest', 'createPost', 'editCaption', 'deletePost', 'like', 'unlike', 'comment', 'deleteComment', 'tick'];
const anyLog = anyHistory({ minIntents: 10, maxIntents: 50, kinds }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history)));
const anyBatchSize = fc.integer({ min: 1, max: 20 });
const runs = { numRuns: 15, interruptAfterTimeLimit: 40_000 };

/** The PostgreSQL adapter's answers after the log applied in order, in one instance. */
const reference = async (events: readonly RecordedEvent[], history: readonly HistoryEvent[]) => {
  const store = createPostgresSearchStore(db.pool, { tablePrefix: `s${randomBytes(4).toString('hex')}_` });
  await store.setup();
  await applyEvents(createSearchProjection(store), events, { checkpointKey: `reference-${randomBytes(4).toString('hex')}` });
  return observe(store, history);
};

describe('Elasticsearch search store against the PostgreSQL one', () => {
  it('two partitioned instances applying at once, in any batch sizes, answer as PostgreSQL applying the log in order', async () => {
    await fc.assert(
      fc.asyncProperty(anyLog, anyBatchSize, anyBatchSize, async ([history, log], sizeA, sizeB) => {
        const events = toRecordedEvents(log);
        const { store } = elasticsearchStore();
        await store.setup();
        const projection = createSearchProjection(store);
        await Promise.all([
          applyEvents(projection, events, { batchSize: sizeA, partition: { index: 0, count: 2 } }),
          applyEvents(projection, events, { batchSize: sizeB, partition: { index: 1, count: 2 } }),
        ]);
        expect(await observe(store, history)).toEqual(await reference(toRecordedEvents(history), history));
      }),
      runs,
    );
  });

  it('a crash at any request of any batch, a resume from the checkpoint, then the whole log again, answers as PostgreSQL', async () => {
    await fc.assert(
      fc.asyncProperty(anyLog, anyBatchSize, fc.integer({ min: 1, max: 30 }), async ([history, log], batchSize, failAt) => {
        const events = toRecordedEvents(log);
        const { prefix, store } = elasticsearchStore();
        await store.setup();
        const crashing = createElasticsearchSearchStore(clientFailingAt(failAt), db.pool, { prefix });
        await applyEvents(createSearchProjection(crashing), events, { batchSize }).catch((error: unknown) => {
          if (!(error instanceof InjectedFailure)) throw error;
        });
        await applyEvents(createSearchProjection(store), events, { batchSize });
        // A rebuild over the live indexes (another checkpoint key, from the start) changes nothing.
        await applyEvents(createSearchProjection(store), events, { batchSize: batchSize + 3, checkpointKey: 'again', replay: true });
        expect(await observe(store, history)).toEqual(await reference(events, history));
      }),
      runs,
    );
  });
});

describe('an Elasticsearch search generation built from the start (mode build)', () => {
  const settingsOf = async (prefix: string) => {
    const response = await client.indices.getSettings({ index: searchIndexes(prefix).posts.alias, flat_settings: true });
    const settings = Object.values(response)[0]!.settings as Record<string, string | undefined>;
    return { refresh: settings['index.refresh_interval'] ?? null, replicas: settings['index.auto_expand_replicas'] ?? null };
  };

  it('refreshes only what its own searches read, crashes and resumes, and after finishBuild has the serving settings and answers as PostgreSQL', async () => {
    await fc.assert(
      fc.asyncProperty(anyLog, anyBatchSize, fc.integer({ min: 1, max: 30 }), async ([history, log], batchSize, failAt) => {
        const events = toRecordedEvents(log);
        const prefix = newPrefix();
        prefixes.push(prefix);
        const store = createElasticsearchSearchStore(client, db.pool, { prefix, mode: 'build' });
        await store.setup();
        expect(await settingsOf(prefix)).toEqual({ refresh: '-1', replicas: 'false' });
        const crashing = createElasticsearchSearchStore(clientFailingAt(failAt), db.pool, { prefix, mode: 'build' });
        await applyEvents(createSearchProjection(crashing), events, { batchSize, replay: true }).catch((error: unknown) => {
          if (!(error instanceof InjectedFailure)) throw error;
        });
        await applyEvents(createSearchProjection(store), events, { batchSize, replay: true });
        await store.finishBuild();
        await store.finishBuild(); // idempotent: a resume may run it again
        expect(await settingsOf(prefix)).toEqual({ refresh: null, replicas: '0-1' });
        expect(await observe(store, history)).toEqual(await reference(toRecordedEvents(history), history));
      }),
      { numRuns: 8, interruptAfterTimeLimit: 30_000 },
    );
  });
});
