import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../../events/index.js';
import { createProfilesProjection, createProfilesReader, type HydratedPost, type ProfilesReader } from '../../../projections/profiles/index.js';
import { encodeTouches, type CardBus, type CardBusListener } from '../../../projections/profiles/card-bus.js';
import { createPostgresCardBus } from '../../../projections/profiles/card-bus-postgres.js';
import { createRedisCardBus } from '../../../projections/profiles/card-bus-redis.js';
import type { Projection } from '../../../projections/runtime/projection.js';
import { createCardCache, withRelationship, type CardCache } from '../../../read-api/card-cache.js';
import { createMediaPresenter } from '../../../read-api/media-presenter.js';
import { presentPost, presentUser } from '../../../read-api/present.js';
import { hydratedPost, profile } from '../../../read-api/schemas.js';
import { PROFILES_TABLES } from '../../../projections/profiles/schema.js';
import { anyHistory, historyIds, simulateHistory, toRecordedEvents, type HistoryEvent } from '../../support/history-arbitraries.js';
import { createInMemoryMediaStorage } from '../../support/in-memory-media-storage.js';
import { eventually } from '../../support/kafka.js';
import { applyEvents } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { createTestRedis, isRedisReachable, type TestRedis } from '../../support/test-redis.js';

// The card cache (read-api/card-cache.ts) against the uncached SQL answers of the profiles read
// model, on real PostgreSQL and Redis: the projector publishes what each batch touched on the card
// bus, and once those invalidations are delivered every cached answer equals the SQL one.

const reachable = await isRedisReachable();

let db: TestDatabase;
let redis: TestRedis;
let reader: ProfilesReader;
const media = createMediaPresenter(createInMemoryMediaStorage());

beforeAll(async () => {
  db = await createTestDatabase();
  await createProfilesProjection(db.pool).setup();
  reader = createProfilesReader(db.pool);
  if (reachable) redis = await createTestRedis();
});
afterAll(async () => {
  await redis?.drop();
  await db.drop();
});

const reset = () => db.pool.query(`truncate ${PROFILES_TABLES.join(', ')}, projection_checkpoints`);

/** A bus whose deliveries are counted, and a publisher counting what it sent, so that a test can wait for "delivered". */
const counted = (bus: CardBus) => {
  const counts = { sent: 0, delivered: 0, lives: 0, downs: 0 };
  const subscribing: Pick<CardBus, 'subscribe'> = {
    subscribe: (listener: CardBusListener) =>
      bus.subscribe({
        touched: (touches) => (listener.touched(touches), counts.delivered++),
        clear: () => (listener.clear(), counts.delivered++),
        live: () => (listener.live(), counts.lives++),
        down: () => (listener.down(), counts.downs++),
      }),
  };
  const projection = createProfilesProjection(db.pool, {
    cards: { publish: async (touches) => ((counts.sent += encodeTouches(touches).length), bus.publish(touches)) },
  });
  const delivered = () => eventually('invalidations delivered', async () => counts.delivered >= counts.sent, 10_000);
  return { counts, subscribing, projection, delivered };
};

/** A projection that publishes nothing: a lost invalidation. */
const silent = (): Projection => createProfilesProjection(db.pool);

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** What GET /posts/{id} answers for a post from SQL, without the viewer's marks (the cards leave them out). */
const expectedPost = async (post: HydratedPost) => {
  const { likedByMe: _liked, bookmarkedByMe: _bookmarked, ...rest } = json(hydratedPost.parse(await presentPost({ media }, post)));
  return rest;
};

const idsIn = (history: readonly HistoryEvent[], field: 'userId' | 'postId') => [
  ...new Set(history.flatMap((event) => ((event.data as Record<string, unknown>)[field] as string | undefined) ?? [])),
];

/** Every cached answer (post page, feed hydration, profile with its pair facts) equals the SQL one, for every viewer. */
const assertCachedEqualsSql = async (cache: CardCache, history: readonly HistoryEvent[]) => {
  const users = idsIn(history, 'userId');
  const posts = idsIn(history, 'postId');
  const usernames = history.flatMap((event) => (event.type === 'UserRegistered' ? [event.data.username] : []));
  for (const viewer of users) {
    for (const postId of posts) {
      const [cached, sql] = await Promise.all([cache.postFor(postId, viewer), reader.postFor(postId, viewer)]);
      if (!sql) expect(cached, `post ${postId} for ${viewer}`).toBeNull();
      else {
        expect(cached?.access, `access to post ${postId} for ${viewer}`).toBe(sql.access);
        expect(JSON.parse(cached!.json), `post ${postId} for ${viewer}`).toEqual(await expectedPost(sql.post));
      }
    }
    const [cachedPage, sqlPage] = await Promise.all([cache.visiblePosts([...posts, ...posts.slice(0, 1)], viewer), reader.visiblePosts([...posts, ...posts.slice(0, 1)], viewer)]);
    expect(cachedPage.map((item) => JSON.parse(item.json)), `visible posts for ${viewer}`).toEqual(await Promise.all(sqlPage.map(expectedPost)));
    // The home feed's hydration: the same, less the authors the viewer mutes (from the cached pair facts).
    const muted = new Set((await Promise.all(users.map(async (id) => ((await reader.relationship(viewer, id)).muting ? [id] : [])))).flat());
    const cachedHome = await cache.visiblePosts(posts, viewer, { withoutMuted: true });
    const sqlHome = (await reader.visiblePosts(posts, viewer)).filter((post) => !muted.has(post.author.id));
    expect(cachedHome.map((item) => JSON.parse(item.json)), `home posts for ${viewer}`).toEqual(await Promise.all(sqlHome.map(expectedPost)));
    // The warm home page's body from the maps alone: the same posts with each item's marks, and the
    // cursor; once visiblePosts has loaded them all, nothing is missing (a live cache, a UUID viewer).
    const items = posts.map((postId, i) => ({ postId, likedByMe: i % 2 === 0, bookmarkedByMe: i % 3 === 0 }));
    const body = cache.homePageBody(items, viewer, posts.length % 2 === 0 ? null : 'a cursor');
    expect(body, `home page body for ${viewer}`).toBeDefined();
    const marksOf = new Map(items.map((item) => [item.postId, { likedByMe: item.likedByMe, bookmarkedByMe: item.bookmarkedByMe }]));
    expect(JSON.parse(body!.toString('utf8')), `home page body for ${viewer}`).toEqual({
      items: (await Promise.all(sqlHome.map(expectedPost))).map((post) => ({ ...post, ...marksOf.get(post.id as string) })),
      nextCursor: posts.length % 2 === 0 ? null : 'a cursor',
    });
    for (const username of usernames) {
      const [cached, sql] = await Promise.all([cache.profileFor(viewer, username), reader.profileFor(viewer, username)]);
      if (!sql) expect(cached, `profile ${username} for ${viewer}`).toBeNull();
      else {
        expect(cached?.access, `access to ${username} for ${viewer}`).toBe(sql.access);
        expect(cached?.relationship, `relationship with ${username} for ${viewer}`).toEqual(sql.relationship);
        const { following, requested, followedBy, muting } = sql.relationship;
        expect(JSON.parse(withRelationship(cached!.json, cached!.relationship)), `profile ${username} for ${viewer}`).toEqual(
          json(profile.omit({ mutualFollowers: true }).parse({ ...(await presentUser({ media }, sql.user)), relationship: { following, requested, followedBy, muting } })),
        );
      }
    }
  }
};

describe.skipIf(!reachable)('card cache: cached answers equal the SQL ones once invalidations are delivered', () => {
  let bus: CardBus;
  let wiring: ReturnType<typeof counted>;
  let cache: CardCache;

  beforeAll(async () => {
    bus = createRedisCardBus(redis.client, { prefix: redis.prefix });
    wiring = counted(bus);
    cache = createCardCache({ profiles: () => reader, media, bus: wiring.subscribing });
    await eventually('the card bus subscribed', async () => cache.live, 10_000);
  });
  afterAll(async () => {
    cache.close();
    await bus.close();
  });

  // Rule: over random valid histories applied in random batches, with reads between the batches (so
  // that cards cached from earlier states must be evicted), every cached post card, feed hydration,
  // profile and pair fact equals what the read model's SQL answers (postFor, visiblePosts, profileFor).
  it('for random histories in random batches, with reads interleaved', async () => {
    await fc.assert(
      fc.asyncProperty(anyHistory({ maxIntents: 30 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }), async (history, cuts) => {
        await reset();
        cache.clear();
        const log = toRecordedEvents(history);
        let end = 0;
        for (let i = 0; end < log.length; i++) {
          end = Math.min(log.length, end + cuts[i % cuts.length]!);
          await applyEvents(wiring.projection, log.slice(0, end), { batchSize: 1_000 });
          await wiring.delivered();
          // Twice: the first read may load, the second is answered from the cards.
          await assertCachedEqualsSql(cache, history);
          await assertCachedEqualsSql(cache, history);
        }
      }),
      { numRuns: 25, interruptAfterTimeLimit: 60_000 },
    );
  });
});

/** Two users, a post by the first, and a like of it by the second (the Liked kept apart to apply later). */
const postThenLike = () => {
  const history = simulateHistory(
    [
      { kind: 'createPost', a: 0, b: 0, c: 0, advanceMs: 1 },
      { kind: 'like', a: 1, b: 0, c: 0, advanceMs: 1 },
    ],
    { maxUsers: 2, storyTtlMs: 3_600_000, start: '2025-01-01T00:00:00.000Z' },
  );
  const log = toRecordedEvents(history);
  const likeAt = log.findIndex((event) => event.type === 'Liked');
  expect(likeAt, 'the history has a like').toBeGreaterThan(0);
  const postId = (log[likeAt]!.data as { postId: string }).postId;
  return { before: log.slice(0, likeAt), all: log, postId, viewer: historyIds.user(1) };
};

const likeCountOf = (found: { json: string } | null) => (JSON.parse(found!.json) as { likeCount: number }).likeCount;

describe.skipIf(!reachable)('card cache: races, drops and read-through (Redis bus)', () => {
  let bus: CardBus;
  let wiring: ReturnType<typeof counted>;
  let loads: number;
  let hold: { read: () => void; release: Promise<void> } | null;
  let failNext = false;
  let cache: CardCache;

  beforeAll(async () => {
    bus = createRedisCardBus(redis.client, { prefix: `${redis.prefix}race:` });
    wiring = counted(bus);
    // The real reader; a test may hold a post load between its query and its answer.
    const held: ProfilesReader = {
      ...reader,
      postCards: async (ids) => {
        loads++;
        if (failNext) {
          failNext = false;
          await new Promise((resolve) => setTimeout(resolve, 10));
          throw new Error('injected load failure');
        }
        const found = await reader.postCards(ids);
        const current = hold;
        if (current) {
          current.read();
          await current.release;
        }
        return found;
      },
    };
    cache = createCardCache({ profiles: () => held, media, bus: wiring.subscribing });
    await eventually('the card bus subscribed', async () => cache.live, 10_000);
  });
  afterAll(async () => {
    cache.close();
    await bus.close();
  });
  beforeEach(async () => {
    await reset();
    cache.clear();
    loads = 0;
    hold = null;
  });

  // Rule: concurrent misses of one card share one load, and a hit needs no query.
  it('shares one load between concurrent misses, and answers a hit without a query', async () => {
    const { all, postId, viewer } = postThenLike();
    await applyEvents(wiring.projection, all);
    await wiring.delivered();
    const [a, b] = await Promise.all([cache.postFor(postId, viewer), cache.postFor(postId, viewer)]);
    expect(a).toEqual(b);
    expect(loads).toBe(1);
    await cache.postFor(postId, viewer);
    expect(loads).toBe(1);
  });

  // Rule: a failed shared load fails every request that joined it (as their own query would
  // have), leaves nothing behind, and the next read loads again.
  it('fails the joiners of a failed load, and loads again afterwards', async () => {
    const { all, postId, viewer } = postThenLike();
    await applyEvents(wiring.projection, all);
    await wiring.delivered();
    failNext = true;
    const outcomes = await Promise.allSettled([cache.postFor(postId, viewer), cache.postFor(postId, viewer)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
    expect(loads).toBe(2);
  });

  // Rule: a load that read the old row before the change committed, and whose invalidation arrives
  // while it is in flight, answers its own request but leaves nothing cached.
  it('does not keep a row read before an invalidation that arrived during the load', async () => {
    const { before, all, postId, viewer } = postThenLike();
    await applyEvents(wiring.projection, before);
    await wiring.delivered();
    let read!: () => void;
    const wasRead = new Promise<void>((resolve) => (read = resolve));
    let release!: () => void;
    hold = { read, release: new Promise<void>((resolve) => (release = resolve)) };
    const first = cache.postFor(postId, viewer);
    await wasRead;
    hold = null;
    await applyEvents(wiring.projection, all);
    await wiring.delivered();
    release();
    expect(likeCountOf(await first)).toBe(0);
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
  });

  // Rule: a ?minPosition= read goes to SQL whatever is cached, and refreshes the card.
  it('reads through the cache with readThrough, refreshing it', async () => {
    const { before, all, postId, viewer } = postThenLike();
    await applyEvents(wiring.projection, before);
    await wiring.delivered();
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(0);
    await applyEvents(silent(), all); // its invalidation lost
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(0);
    expect(likeCountOf(await cache.postFor(postId, viewer, { readThrough: true }))).toBe(1);
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
  });

  // Rule: when the subscription drops, what was published meanwhile is lost; the cache is cleared
  // when it is live again, so no card cached before the drop survives it.
  it('clears every card when the subscription is live again after a drop', async () => {
    const { before, all, postId, viewer } = postThenLike();
    await applyEvents(wiring.projection, before);
    await wiring.delivered();
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(0);
    await applyEvents(silent(), all); // published while the subscription is down: lost
    const lives = wiring.counts.lives;
    const clients = (await redis.client.client('LIST')) as string;
    const subscriber = clients.split('\n').find((line) => line.includes(` name=${redis.prefix}race:cards `));
    expect(subscriber, 'the card bus subscriber in CLIENT LIST').toBeDefined();
    await redis.client.client('KILL', 'ID', /\bid=(\d+)/.exec(subscriber!)![1]!);
    await eventually('the card bus subscribed again', async () => wiring.counts.lives > lives, 10_000);
    expect(cache.sizes()).toEqual({ posts: 0, users: 0, pairs: 0 });
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
  });
});

/** Cat's view of ann's post tagging bob, as each path gives it: the tags of each item, by username. */
const tagsOn = (json: string) => (JSON.parse(json) as { media: Array<{ tags?: Array<{ username: string }> }> }).media.map((item) => item.tags?.map((tag) => tag.username));

describe('card cache: the tags of someone a block stands between with the viewer', () => {
  // ann, bob and cat; ann posts tagging bob on the first and the last item; then a block between
  // bob and cat, one way or the other (the post stays ann's, visible to cat).
  const [ann, bob, cat] = [0, 1, 2].map(historyIds.user) as [string, string, string];
  const opening = [
    { kind: 'register', a: 1, b: 0, c: 0, advanceMs: 1 },
    { kind: 'tagPost', a: 0, b: 1, c: 2, advanceMs: 1 },
  ] as const;
  const blocks = { 'bob blocks cat': { kind: 'block', a: 1, b: 1, c: 0, advanceMs: 1 }, 'cat blocks bob': { kind: 'block', a: 2, b: 1, c: 0, advanceMs: 1 } } as const;

  // Rule (kernel/access.ts tagShownTo): a tag of someone a block stands between with the viewer,
  // either way, is left out of the card that viewer gets, on the cache's general path (the pair
  // facts of the tagged person loaded with the author's) and on its fast path (every fact cached:
  // no query at all), as the SQL hydration leaves it out; everyone else still sees it.
  for (const [direction, block] of Object.entries(blocks)) {
    it(`${direction}: cat's card has no tag of bob, from SQL, a load and the cached facts alike; ann and bob still see it`, async () => {
      await reset();
      const history = simulateHistory([...opening, block], { maxUsers: 3, storyTtlMs: 3_600_000, start: '2025-01-01T00:00:00.000Z' });
      const log = toRecordedEvents(history);
      const blockAt = log.findIndex((event) => event.type === 'Blocked');
      const created = log.find((event) => event.type === 'PostCreated');
      expect(blockAt, 'the history has the block').toBeGreaterThan(0);
      expect(JSON.stringify(created?.data), 'the post tags bob').toContain(bob);
      const postId = (created!.data as { postId: string }).postId;
      let pairLoads = 0;
      const counting: ProfilesReader = { ...reader, pairFacts: (viewer, others) => (pairLoads++, reader.pairFacts(viewer, others)) };
      const bus = createPostgresCardBus(db.pool);
      const wiring = counted(bus);
      const cache = createCardCache({ profiles: () => counting, media, bus: wiring.subscribing });
      try {
        await eventually('the card bus listening', async () => cache.live, 10_000);
        await applyEvents(wiring.projection, log.slice(0, blockAt));
        await wiring.delivered();
        const tagged = tagsOn((await cache.postFor(postId, cat))!.json);
        expect(tagged.filter((names) => names?.includes('bob')).length, 'bob tagged before the block').toBeGreaterThan(0);

        await applyEvents(wiring.projection, log);
        await wiring.delivered();
        const untagged = tagged.map((names) => names?.filter((name) => name !== 'bob')).map((names) => (names?.length ? names : undefined));
        const sqlHome = await reader.visiblePosts([postId], cat);
        expect(sqlHome.map((post) => tagsOn(JSON.stringify(post))), 'SQL hydration').toEqual([untagged]);
        expect(tagsOn(JSON.stringify((await reader.postFor(postId, cat))!.post)), 'SQL post page').toEqual(untagged);
        const loadsBefore = pairLoads;
        expect(tagsOn((await cache.postFor(postId, cat))!.json), 'the post page, facts loaded').toEqual(untagged);
        expect(pairLoads, 'the block evicted the pair facts: loaded again').toBeGreaterThan(loadsBefore);
        const loaded = pairLoads;
        const [home] = await cache.visiblePosts([postId], cat, { withoutMuted: true });
        expect(tagsOn(home!.json), 'the home feed, from the cached facts').toEqual(untagged);
        expect(pairLoads, 'answered from the cached facts').toBe(loaded);
        expect(JSON.parse(home!.open.toString('utf8') + '}'), 'the bytes the home feed sends').toEqual(JSON.parse(home!.json));
        for (const viewer of [ann, bob]) {
          expect(tagsOn((await cache.postFor(postId, viewer))!.json), `as ${viewer === ann ? 'ann' : 'bob'}`).toEqual(tagged);
          expect(tagsOn((await cache.visiblePosts([postId], viewer))[0]!.json), `as ${viewer === ann ? 'ann' : 'bob'}, hydrated`).toEqual(tagged);
        }
      } finally {
        cache.close();
        await bus.close();
      }
    });
  }
});

describe('card cache: the PostgreSQL bus', () => {
  // Rule: as on Redis, invalidations cross LISTEN/NOTIFY, and a dropped LISTEN connection clears the
  // cache once it listens again.
  it('delivers invalidations, and clears every card after the LISTEN connection dropped', async () => {
    await reset();
    const applicationName = `cards-${randomBytes(4).toString('hex')}`;
    const bus = createPostgresCardBus(db.pool, { listenerConfig: { ...db.pool.options, application_name: applicationName }, reconnectDelayMs: 50 });
    const wiring = counted(bus);
    const cache = createCardCache({ profiles: () => reader, media, bus: wiring.subscribing });
    try {
      await eventually('the card bus listening', async () => cache.live, 10_000);
      const { before, all, postId, viewer } = postThenLike();
      await applyEvents(wiring.projection, before);
      await wiring.delivered();
      expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(0);
      await applyEvents(wiring.projection, all);
      await wiring.delivered();
      expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);

      await reset();
      await applyEvents(wiring.projection, before);
      await wiring.delivered();
      expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(0);
      await applyEvents(silent(), all); // lost
      const lives = wiring.counts.lives;
      await db.pool.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [applicationName]);
      await eventually('the card bus listening again', async () => wiring.counts.lives > lives, 10_000);
      expect(wiring.counts.downs).toBeGreaterThan(0);
      expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
    } finally {
      cache.close();
      await bus.close();
    }
  });

  // Rule: a presented card is not served past the signing window its URLs were made in: past it,
  // the same card answers the URLs the presenter signs now.
  it('presents a card again once its signing window is over', async () => {
    await reset();
    const history = simulateHistory([{ kind: 'changeAvatar', a: 0, b: 1, c: 0, advanceMs: 1 }], {
      maxUsers: 2,
      storyTtlMs: 3_600_000,
      start: '2025-01-01T00:00:00.000Z',
    });
    const avatarChanged = history.find((event) => event.type === 'AvatarChanged');
    expect(avatarChanged?.type === 'AvatarChanged' && avatarChanged.data.avatar, 'the history sets an avatar').toBeTruthy();
    await applyEvents(silent(), toRecordedEvents(history));
    let clock = Date.parse('2025-01-01T05:59:00.000Z');
    const presenter = createMediaPresenter(createInMemoryMediaStorage(), () => new Date(clock));
    const bus = createPostgresCardBus(db.pool);
    const cache = createCardCache({ profiles: () => reader, media: presenter, bus, now: () => clock });
    try {
      await eventually('the card bus listening', async () => cache.live, 10_000);
      const viewer = historyIds.user(1);
      const avatarUrl = async () => (JSON.parse((await cache.profileFor(viewer, 'ann'))!.json) as { avatar: { url: string } }).avatar.url;
      const expectedUrl = async () => (await presenter.presentOne((await reader.userByUsername('ann'))!.avatar!, { private: false })).url;
      const first = await avatarUrl();
      expect(first).toBe(await expectedUrl());
      clock += 2 * 60_000; // past the 6-hour window of public signed URLs
      const next = await avatarUrl();
      expect(next).not.toBe(first);
      expect(next).toBe(await expectedUrl());
    } finally {
      cache.close();
      await bus.close();
    }
  });

  // Rule: without a live subscription nothing is kept: every read goes to SQL.
  it('keeps nothing without a bus', async () => {
    await reset();
    const cache = createCardCache({ profiles: () => reader, media, bus: null });
    const { all, postId, viewer } = postThenLike();
    await applyEvents(silent(), all as RecordedEvent[]);
    expect(likeCountOf(await cache.postFor(postId, viewer))).toBe(1);
    expect(cache.sizes()).toEqual({ posts: 0, users: 0, pairs: 0 });
  });
});
