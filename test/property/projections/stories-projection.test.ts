import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../../../events/index.js';
import type { Page } from '../../../projections/runtime/page.js';
import { checkpointKeyOf, partitionOf } from '../../../projections/runtime/partition.js';
import type { Projection } from '../../../projections/runtime/projection.js';
import { createStoriesProjection } from '../../../projections/stories/stories-projection.js';
import { createStoriesReader, type StoriesReader, type TrayEntry } from '../../../projections/stories/stories-reader.js';
import { createPostgresStoriesStore } from '../../../projections/stories/stories-store-postgres.js';
import { createRedisStoriesStore } from '../../../projections/stories/stories-store-redis.js';
import type { StoriesStore, Story, StoryViewer } from '../../../projections/stories/stories-store.js';
import { anyHistory, anyInterleaving, historyIds, toRecordedEvents, type HistoryEvent, type IntentKind } from '../../support/history-arbitraries.js';
import { applyEvents, InjectedFailure, poolFailingAt } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { createTestRedis, isRedisReachable, type TestRedis } from '../../support/test-redis.js';

// docs/architecture.md "Testing": for random valid histories the stories read model equals a fold of the history,
// whatever the batching, after a crash mid-batch and a resume, with batches applied twice, and
// with the log split by stream over two instances that interleave at random.

const HOUR = 3_600_000;
const START_AT = '2025-01-01T00:00:00.000Z';

// Story intents weighted up; the others are there for users, blocks (which stop views) and time.
const kinds: IntentKind[] = [
  ...(['postStory', 'postStory', 'postStory', 'viewStory', 'viewStory', 'viewStory', 'viewStory', 'viewStory'] as const),
  ...(['deleteStory', 'deleteStory', 'expireStory', 'expireStory', 'tick', 'tick', 'register', 'register', 'block', 'follow', 'changePrivacy'] as const),
  // Stories that share a post: the read model keeps the post they show.
  ...(['createPost', 'share', 'share'] as const),
];
const anyStoryHistory = anyHistory({ kinds, maxUsers: 5, minIntents: 20, maxIntents: 60, storyTtlMs: HOUR, start: START_AT });

// ---------------------------------------------------------------------------------------------
// The fold: what the read model must hold, straight from the history

interface Model {
  stories: Map<string, Story>;
  viewers: Map<string, StoryViewer[]>;
  users: string[];
}

const foldStories = (history: readonly HistoryEvent[]): Model => {
  const model: Model = { stories: new Map(), viewers: new Map(), users: [] };
  for (const event of history) {
    switch (event.type) {
      case 'UserRegistered':
        model.users.push(event.data.userId);
        break;
      case 'StoryPosted': {
        const { storyId, authorId, media, postedAt, expiresAt, sharedPost } = event.data;
        model.stories.set(storyId, { id: storyId, authorId, media, postedAt, expiresAt, state: 'active', sharedPost: sharedPost ?? null });
        break;
      }
      case 'StoryDeleted':
        model.stories.get(event.data.storyId)!.state = 'deleted';
        break;
      case 'StoryExpired':
        model.stories.get(event.data.storyId)!.state = 'expired';
        break;
      case 'StoryViewed': {
        const { storyId, viewerId, viewedAt } = event.data;
        model.viewers.set(storyId, [...(model.viewers.get(storyId) ?? []), { viewerId, viewedAt }]);
        break;
      }
      default:
        break;
    }
  }
  return model;
};

const ms = Date.parse;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every question the reader answers, asked about every user and story of the history (plus one unknown of each). */
interface Snapshot {
  story: Array<Story | null>;
  storyAtNow: Array<Story | null>;
  active: Map<string, Story[]>;
  trays: TrayEntry[][];
  seen: Array<Set<string>>;
  viewers: StoryViewer[][];
  due: string[];
}

const expectedSnapshot = (model: Model, storyIds: string[], users: string[], now: string): Snapshot => {
  const live = (story: Story) => story.state === 'active' && ms(story.expiresAt) > ms(now);
  const oldestFirst = (a: Story, b: Story) => ms(a.postedAt) - ms(b.postedAt) || byText(a.id, b.id);
  const active = new Map(users.map((author) => [author, [...model.stories.values()].filter((s) => s.authorId === author && live(s)).sort(oldestFirst)]));
  const seenBy = (viewer: string) => new Set(storyIds.filter((id) => model.viewers.get(id)?.some((v) => v.viewerId === viewer)));
  const tray = (viewer: string): TrayEntry[] =>
    users
      .filter((author) => active.get(author)!.length > 0)
      .map((author) => {
        const stories = active.get(author)!.map((story) => ({ ...story, seen: seenBy(viewer).has(story.id) }));
        return { authorId: author, stories, hasUnseen: stories.some((s) => !s.seen), latestPostedAt: stories.at(-1)!.postedAt };
      })
      .sort((a, b) => Number(b.hasUnseen) - Number(a.hasUnseen) || ms(b.latestPostedAt) - ms(a.latestPostedAt) || byText(a.authorId, b.authorId));
  return {
    story: storyIds.map((id) => model.stories.get(id) ?? null),
    storyAtNow: storyIds.map((id) => {
      const story = model.stories.get(id);
      if (!story) return null;
      return story.state === 'active' && !live(story) ? { ...story, state: 'expired' } : story;
    }),
    active,
    trays: users.map(tray),
    seen: users.map(seenBy),
    viewers: storyIds.map((id) =>
      [...(model.viewers.get(id) ?? [])].sort((a, b) => ms(b.viewedAt) - ms(a.viewedAt) || byText(b.viewerId, a.viewerId)),
    ),
    due: [...model.stories.values()]
      .filter((s) => s.state === 'active' && !live(s))
      .sort((a, b) => ms(a.expiresAt) - ms(b.expiresAt) || byText(a.id, b.id))
      .map((s) => s.id),
  };
};

const allViewers = async (reader: StoriesReader, storyId: string): Promise<StoryViewer[]> => {
  const items: StoryViewer[] = [];
  let cursor: string | undefined;
  do {
    // Small pages, so that most lists take several and every cursor is used.
    const page: Page<StoryViewer> = await reader.viewers(storyId, { cursor, limit: 2 });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
};

const actualSnapshot = async (reader: StoriesReader, storyIds: string[], users: string[], now: string): Promise<Snapshot> => ({
  story: await Promise.all(storyIds.map((id) => reader.story(id))),
  storyAtNow: await Promise.all(storyIds.map((id) => reader.story(id, now))),
  active: await reader.activeStories(users, now),
  trays: await Promise.all(users.map((viewer) => reader.tray(viewer, users, now))),
  seen: await Promise.all(users.map((viewer) => reader.seenBy(viewer, storyIds))),
  viewers: await Promise.all(storyIds.map((id) => allViewers(reader, id))),
  due: await reader.dueForExpiry(now, 1000),
});

/** The read model equals the fold, asked at the end of the history and at a random instant in it. */
const expectFoldOf = async (reader: StoriesReader, history: readonly HistoryEvent[], offsetMs: number) => {
  const model = foldStories(history);
  const storyIds = [...model.stories.keys(), historyIds.story(99)];
  const users = [...model.users, historyIds.user(99)];
  const end = ms(history.at(-1)?.at ?? START_AT);
  for (const now of [new Date(end).toISOString(), new Date(ms(START_AT) + (offsetMs % (end - ms(START_AT) + 2 * HOUR))).toISOString()]) {
    expect(await actualSnapshot(reader, storyIds, users, now)).toEqual(expectedSnapshot(model, storyIds, users, now));
  }
};

// ---------------------------------------------------------------------------------------------
// A runner in miniature: read from the checkpoint, apply a batch, repeat; crashes and repeats on demand

interface RunPlan {
  batchSize: number;
  /** Per batch: crash after some of its writes (those the mask keeps), before the checkpoint. */
  crashes?: boolean[];
  keep?: boolean[];
  /** Per batch: apply it a second time at once, and once more after the next batch (a stale instance). */
  repeats?: boolean[];
}

const after = (log: readonly RecordedEvent[], checkpoint: Position) => log.filter((event) => event.position > checkpoint);

/** Applies one batch of `log` from the checkpoint of `key`, as the plan says; false when nothing was left. */
const step = async (projection: Projection, log: readonly RecordedEvent[], key: string, plan: RunPlan, state: { batch: number; stale?: RecordedEvent[] }) => {
  const checkpoint = await projection.checkpoint(key);
  const events = after(log, checkpoint).slice(0, plan.batchSize);
  if (events.length === 0) return false;
  const position = events.at(-1)!.position;
  const index = state.batch++;
  if (plan.crashes?.[index]) {
    // Some writes landed, the checkpoint did not move: the restarted runner reads this batch again.
    const landed = events.filter((_, i) => plan.keep?.[(index + i) % plan.keep.length] ?? true);
    await projection.apply({ events: landed, position: checkpoint, replay: false }, key);
    return true;
  }
  await projection.apply({ events, position, replay: false }, key);
  if (state.stale) await projection.apply({ events: state.stale, position: checkpoint, replay: false }, key);
  state.stale = undefined;
  if (plan.repeats?.[index]) {
    await projection.apply({ events, position, replay: false }, key);
    state.stale = events;
  }
  return true;
};

const run = async (projection: Projection, log: readonly RecordedEvent[], key: string, plan: RunPlan) => {
  const state = { batch: 0 };
  while (await step(projection, log, key, plan, state));
};

const anyPlan = fc.record({
  // Large batches too, so that a story's post and its end often share a batch a crash cuts through.
  batchSize: fc.integer({ min: 1, max: 30 }),
  crashes: fc.array(fc.boolean(), { maxLength: 30 }),
  keep: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  repeats: fc.array(fc.boolean(), { maxLength: 30 }),
});

// ---------------------------------------------------------------------------------------------

const NUM_RUNS = 25;

const projectionProperties = (name: string, freshStore: () => Promise<StoriesStore>, skip = false) =>
  describe.skipIf(skip)(`stories projection on ${name}`, () => {
    const withProjection = async (body: (projection: Projection, reader: StoriesReader) => Promise<void>) => {
      const store = await freshStore();
      const projection = createStoriesProjection(store);
      await projection.setup();
      await body(projection, createStoriesReader(store));
    };

    it('for any valid history, in batches of any size, the read model equals the fold of the history', async () => {
      await fc.assert(
        fc.asyncProperty(anyStoryHistory, fc.integer({ min: 1, max: 50 }), fc.nat(), async (history, batchSize, offset) => {
          await withProjection(async (projection, reader) => {
            await run(projection, toRecordedEvents(history), 'stories', { batchSize });
            expect(await projection.checkpoint('stories')).toBe(toRecordedEvents(history).at(-1)?.position ?? '');
            await expectFoldOf(reader, history, offset);
          });
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('a crash mid-batch (some writes done, checkpoint not moved) and a resume from the checkpoint end at the fold, as do batches applied twice', async () => {
      await fc.assert(
        fc.asyncProperty(anyStoryHistory, anyPlan, fc.nat(), async (history, plan, offset) => {
          await withProjection(async (projection, reader) => {
            await run(projection, toRecordedEvents(history), 'stories', plan);
            await expectFoldOf(reader, history, offset);
          });
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('the order of events across streams does not matter: any interleaving, split by stream over two instances, ends at the fold', async () => {
      const split = anyStoryHistory.chain((history) =>
        fc.record({ history: fc.constant(history), log: anyInterleaving(history), turns: fc.array(fc.boolean(), { maxLength: 80 }), batchSize: fc.integer({ min: 1, max: 6 }) }),
      );
      await fc.assert(
        fc.asyncProperty(split, fc.nat(), async ({ history, log, turns, batchSize }, offset) => {
          await withProjection(async (projection, reader) => {
            // Positions follow the interleaved log: it is the log these instances read.
            const recorded = toRecordedEvents(log);
            const parts = [0, 1].map((index) => ({
              key: checkpointKeyOf('stories', { index, count: 2 }),
              log: recorded.filter((e) => partitionOf(e.streamId, 2) === index),
              state: { batch: 0 },
            }));
            let turn = 0;
            const pending = new Set(parts);
            while (pending.size > 0) {
              const choices = [...pending];
              const part = choices[Number(turns[turn++ % Math.max(turns.length, 1)] ?? false) % choices.length]!;
              if (!(await step(projection, part.log, part.key, { batchSize }, part.state))) pending.delete(part);
            }
            await expectFoldOf(reader, history, offset);
          });
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

// ---------------------------------------------------------------------------------------------

const redisReachable = await isRedisReachable();
let db: TestDatabase;
let redis: TestRedis | undefined;
let generation = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  if (redisReachable) redis = await createTestRedis();
});
afterAll(async () => {
  await redis?.drop();
  await db.drop();
});

projectionProperties('PostgreSQL', async () => {
  const store = createPostgresStoriesStore(db.pool);
  await store.setup();
  await db.pool.query('truncate stories, story_views, projection_checkpoints');
  return store;
});

describe('stories projection on PostgreSQL, crashing inside a transaction', () => {
  it('a batch whose transaction fails at any statement leaves nothing behind, and the restarted projector ends at the fold', async () => {
    await fc.assert(
      fc.asyncProperty(anyStoryHistory, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 40 }), fc.nat(), async (history, batchSize, failAt, offset) => {
        const log = toRecordedEvents(history);
        await createPostgresStoriesStore(db.pool).setup();
        await db.pool.query('truncate stories, story_views, projection_checkpoints');
        const crashing = createStoriesProjection(createPostgresStoriesStore(poolFailingAt(db.pool, failAt)));
        await applyEvents(crashing, log, { batchSize }).catch((error: unknown) => expect(error).toBeInstanceOf(InjectedFailure));
        // What the crash left is exactly the batches before its checkpoint.
        const reader = createStoriesReader(createPostgresStoriesStore(db.pool));
        // Read on the healthy pool: the crashing one fails its failAt-th query, which may be this one.
        const checkpoint = await createStoriesProjection(createPostgresStoriesStore(db.pool)).checkpoint('stories');
        await expectFoldOf(reader, history.slice(0, log.filter((event) => event.position <= checkpoint).length), offset);
        const restarted = createStoriesProjection(createPostgresStoriesStore(db.pool));
        await applyEvents(restarted, log, { batchSize });
        await expectFoldOf(reader, history, offset);
      }),
      { numRuns: 20 },
    );
  });
});

// A fresh key prefix per run is a fresh read model; the checkpoints are namespaced by it too.
projectionProperties('Redis', async () => createRedisStoriesStore({ redis: redis!.client, pool: db.pool, prefix: `${redis!.prefix}${generation++}:` }), !redisReachable);
