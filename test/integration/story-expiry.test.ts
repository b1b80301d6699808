import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../commands/command-context.js';
import { handleCommand } from '../../commands/handle-command.js';
import { expireDueStories, startStoryExpiry, type DueStories, type ExpiryRun } from '../../commands/stories/expire-stories.js';
import { AppError } from '../../kernel/errors.js';
import { storyDecider } from '../../domain/story/story.js';
import { maxPosition, streams, type EventStore, type Position } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import type { Projection } from '../../projections/runtime/projection.js';
import { startProjector, type ProjectorHandle } from '../../projections/runtime/runner.js';
import { waitForCheckpoint } from '../../projections/runtime/wait-for-checkpoint.js';
import { createStoriesProjection } from '../../projections/stories/stories-projection.js';
import { createStoriesReader, type StoriesReader } from '../../projections/stories/stories-reader.js';
import { createPostgresStoriesStore } from '../../projections/stories/stories-store-postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The story expiry process against the real PostgreSQL event store, fed by the stories read
// model that the real projector keeps up to date. Clocks are injected, so "a second later" is a
// value, not a wait; the only waits are for the projector to catch up, bounded.

const SECOND = 1000;
const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const SHORT_TTL = SECOND;

let db: TestDatabase;
let store: EventStore;
let projection: Projection;
let reader: StoriesReader;
let projector: ProjectorHandle;
let due: DueStories;

beforeAll(async () => {
  db = await createTestDatabase();
  store = await createPostgresEventStore(db.pool, { pollIntervalMs: 50 });
  const storiesStore = createPostgresStoriesStore(db.pool);
  projection = createStoriesProjection(storiesStore);
  reader = createStoriesReader(storiesStore);
  due = (now, limit) => reader.dueForExpiry(now, limit);
  await projection.setup();
  projector = startProjector(store, projection, { pollIntervalMs: 20, batchSize: 50, setup: false });
});
afterAll(async () => {
  await projector.stop();
  await store.close();
  await db.drop();
});

const context = (now: number): CommandContext => ({ actorId: null, correlationId: uuidv7(), now: iso(now) });

/** Posts a story as the write side does (postStory), at `at`, living `ttlMs`. */
const postStory = async (authorId: string, at: number, ttlMs: number) => {
  const storyId = uuidv7();
  const { position } = await handleCommand({
    store,
    stream: streams.story(storyId),
    decider: storyDecider,
    command: () => ({ type: 'PostStory', storyId, authorId, media: { url: 'media/s.jpg', type: 'image' }, ttlMs }),
    ctx: { ...context(at), actorId: authorId },
    newStream: true,
  });
  return { storyId, position };
};

const deleteStory = async (authorId: string, storyId: string, at: number) =>
  (
    await handleCommand({
      store,
      stream: streams.story(storyId),
      decider: storyDecider,
      command: () => ({ type: 'DeleteStory', storyId, actorId: authorId }),
      ctx: context(at),
    })
  ).position;

/** Waits, bounded, until the stories projection has applied everything up to `position`. */
const projected = async (position: Position) => {
  expect(await waitForCheckpoint(projection, ['stories'], position, 20_000)).toBe(true);
};

const waitUntil = async (check: () => Promise<boolean>) => {
  const deadline = Date.now() + 20_000;
  while (!(await check()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await check()).toBe(true);
};

const expiriesOf = async (storyId: string) => (await store.readStream(streams.story(storyId))).filter((e) => e.type === 'StoryExpired');

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((process) => process.stop()));
});

describe('story expiry', () => {
  it('reads hide a story past its expiresAt before StoryExpired lands, and queue it for expiry', async () => {
    const author = uuidv7();
    const { storyId, position } = await postStory(author, T0, SHORT_TTL);
    await projected(position);

    expect((await reader.activeStories([author], iso(T0 + SECOND - 1))).get(author)?.map((s) => s.id)).toEqual([storyId]);
    const past = iso(T0 + SECOND);
    expect((await reader.activeStories([author], past)).get(author)).toEqual([]);
    expect(await reader.tray(uuidv7(), [author], past)).toEqual([]);
    expect((await reader.story(storyId, past))?.state).toBe('expired');
    // Nothing has expired it in the log yet: the read model still holds it as active, and due.
    expect((await reader.story(storyId))?.state).toBe('active');
    expect(await expiriesOf(storyId)).toEqual([]);
    expect(await reader.dueForExpiry(past, 1000)).toContain(storyId);
  });

  it('two expiry processes racing on the same due list append StoryExpired once per due story, and nothing for the rest', async () => {
    const author = uuidv7();
    const at = T0 + HOUR;
    const shortLived = await Promise.all(Array.from({ length: 12 }, () => postStory(author, at, SHORT_TTL)));
    const longLived = await Promise.all(Array.from({ length: 3 }, () => postStory(author, at, HOUR)));
    const deleted = await Promise.all(Array.from({ length: 2 }, () => postStory(author, at, SHORT_TTL)));
    const deletions = await Promise.all(deleted.map(({ storyId }) => deleteStory(author, storyId, at + 10)));
    await projected(maxPosition(...[...shortLived, ...longLived].map((s) => s.position), ...deletions));

    const now = iso(at + 2 * SECOND);
    const dueIds = shortLived.map((s) => s.storyId);
    const dueNow = await due(now, 1000);
    expect(dueNow).toEqual(expect.arrayContaining(dueIds));
    for (const { storyId } of [...longLived, ...deleted]) expect(dueNow).not.toContain(storyId);
    const runs = await Promise.all([expireDueStories({ store }, due, now), expireDueStories({ store }, due, now)]);
    // Both saw every due story; between them each was expired once (the loser's retry found it ended).
    const expiredByBoth = runs.flatMap((run) => run.expired);
    expect(expiredByBoth.filter((id) => dueIds.includes(id)).sort()).toEqual([...dueIds].sort());
    expect(runs.flatMap((run) => run.failed)).toEqual([]);

    // A third run before the projection has caught up gets the same ids back and appends nothing.
    const late = await expireDueStories({ store }, due, now);
    expect(late.expired).toEqual([]);

    for (const { storyId } of shortLived) {
      const expiries = await expiriesOf(storyId);
      expect(expiries).toHaveLength(1);
      expect(expiries[0]!.data).toEqual({ storyId, authorId: author, expiredAt: iso(at + SHORT_TTL) });
    }
    for (const { storyId } of [...longLived, ...deleted]) expect(await expiriesOf(storyId)).toEqual([]);
    // The last committed position, not headPosition(): the visible head is held back by any older
    // transaction still open anywhere in the cluster (another test's database too), so waiting
    // on it could return before the expiries above were projected.
    await projected(await store.lastCommittedPosition());
    expect((await due(now, 1000)).filter((id) => dueIds.includes(id))).toEqual([]);
  });

  it('two periodic expiry processes expire each story exactly once, and a restarted one carries on where they left off', async () => {
    const author = uuidv7();
    const at = T0 + 2 * HOUR;
    let now = at + 2 * SECOND;
    const clock = () => new Date(now);
    const errors: unknown[] = [];
    const start = () => {
      const runs: ExpiryRun[] = [];
      const process = startStoryExpiry({ store, due, intervalMs: 10, clock, onError: (error) => errors.push(error), onRun: (run) => runs.push(run) });
      running.push(process);
      return { process, runs };
    };

    const soon = await Promise.all(Array.from({ length: 6 }, () => postStory(author, at, SHORT_TTL)));
    const later = await Promise.all(Array.from({ length: 4 }, () => postStory(author, at, HOUR)));
    await projected(maxPosition(...[...soon, ...later].map((s) => s.position)));

    const first = start();
    const second = start();
    const allExpired = async (stories: Array<{ storyId: string }>) =>
      (await Promise.all(stories.map(({ storyId }) => reader.story(storyId)))).every((story) => story?.state === 'expired');
    await waitUntil(() => allExpired(soon));
    // The processes stop (a deploy); nothing of theirs survives but the log.
    await Promise.all([first.process.stop(), second.process.stop()]);
    expect(first.runs.length + second.runs.length).toBeGreaterThan(0);

    // Restarted at the same time: the stories already expired are not expired again...
    const restarted = start();
    await waitUntil(async () => restarted.runs.length >= 3);
    // ...and once the clock passes the long-lived ones' expiry, it expires those.
    now = at + HOUR + SECOND;
    await waitUntil(() => allExpired(later));
    await restarted.process.stop();

    for (const { storyId } of [...soon, ...later]) expect(await expiriesOf(storyId)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('refuses to expire a story before its time even when the due source says so, and goes on with the others', async () => {
    const author = uuidv7();
    const at = T0 + 3 * HOUR;
    const early = await postStory(author, at, HOUR);
    const ready = await postStory(author, at, SHORT_TTL);
    const unknown = uuidv7();
    const lyingSource: DueStories = async () => [early.storyId, unknown, ready.storyId];

    const run = await expireDueStories({ store }, lyingSource, iso(at + 2 * SECOND));
    expect(run.expired).toEqual([ready.storyId]);
    const refusals = Object.fromEntries(run.failed.map(({ storyId, error }) => [storyId, error instanceof AppError ? error.code : error]));
    expect(refusals).toEqual({ [early.storyId]: 'STORY_NOT_DUE', [unknown]: 'STORY_NOT_FOUND' });
    expect(await expiriesOf(early.storyId)).toEqual([]);
  });

  it('keeps running after a failing run, telling onError, and stops cleanly', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const flaky: DueStories = async () => {
      calls++;
      if (calls === 1) throw new Error('read model unavailable');
      return [];
    };
    const process = startStoryExpiry({ store, due: flaky, intervalMs: 5, clock: () => new Date(T0), onError: (error) => errors.push(error) });
    running.push(process);
    await waitUntil(async () => calls >= 3);
    await process.stop();
    const callsAtStop = calls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(callsAtStop);
    expect(errors).toEqual([new Error('read model unavailable')]);
  });
});
