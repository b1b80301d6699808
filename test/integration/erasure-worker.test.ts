import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../commands/command-context.js';
import { handleCommand } from '../../commands/handle-command.js';
import { userDecider } from '../../domain/user/user.js';
import { streams } from '../../events/index.js';
import type { ErasureStep } from '../../workers/erasure/eraser.js';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// The erasure worker in an in-process platform on the real PostgreSQL (docs/architecture.md "The
// erasure worker"): the due list follows the lifecycle events, a restored account is never
// erased, and a run stopped after any step (a hook throws there, as a crash would) is resumed by
// the next run and ends with one AccountErased. Deletion requests are appended through the user
// decider (the DELETE route is the write side's; this file is about the worker).

const GRACE_MS = 400;
const STEPS: readonly ErasureStep[] = ['caught-up', 'key-destroyed', 'cascaded', 'erased', 'scrubbed'];

let t: TestApp;
let api: ApiClient;
/** Accounts whose runs stop once after each step, and the steps they have stopped at so far. */
const crashing = new Map<string, Set<ErasureStep>>();

beforeAll(async () => {
  t = await startTestApp({
    accountDeletion: { erasureIntervalMs: 50 },
    erasure: {
      keyCacheWaitMs: 5,
      afterStep: (step, userId) => {
        const seen = crashing.get(userId);
        if (!seen || seen.has(step)) return;
        seen.add(step);
        throw new Error(`simulated crash after ${step}`);
      },
    },
  });
  api = apiClient(t.app);
});
afterAll(() => t?.close());

const ctxOf = (actorId: string | null) => ({ actorId, correlationId: newId(), now: new Date().toISOString() });

const requestDeletion = (user: User, graceMs = GRACE_MS) =>
  handleCommand({
    store: t.platform.commands.store,
    stream: streams.user(user.userId),
    decider: userDecider,
    command: () => ({ type: 'RequestAccountDeletion', actorId: user.userId, userId: user.userId, eraseAfter: new Date(Date.now() + graceMs).toISOString() }),
    ctx: ctxOf(user.userId),
  });

const restore = (user: User) =>
  handleCommand({
    store: t.platform.commands.store,
    stream: streams.user(user.userId),
    decider: userDecider,
    command: () => ({ type: 'RestoreAccount', actorId: user.userId, userId: user.userId }),
    ctx: ctxOf(user.userId),
  });

/** Polls `check` until it holds (bounded by the test's own timeout). */
const eventually = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
};

const dueRow = async (userId: string) =>
  (await t.db.pool.query<{ status: string }>('select status from account_erasures where user_id = $1', [userId]).catch(() => ({ rows: [] }))).rows[0]?.status ?? null;

const eventsOf = async (type: string, streamPrefix?: string) =>
  (await t.allEvents()).filter((event) => event.type === type && (streamPrefix === undefined || event.streamId.startsWith(streamPrefix)));

const userEvents = async (userId: string) => (await t.platform.commands.store.readStream(streams.user(userId))).map((event) => event.type);

describe('the due list and the eraser', () => {
  it('an account restored within its grace period is not erased: its row goes, and an account requested after it is erased first', async () => {
    const kept = await api.register();
    const sentinel = await api.register();
    await requestDeletion(kept);
    await eventually(async () => (await dueRow(kept.userId)) === 'pending');
    await restore(kept);
    await eventually(async () => (await dueRow(kept.userId)) === null);
    await requestDeletion(sentinel);
    await eventually(async () => (await dueRow(sentinel.userId)) === 'done');

    expect(await userEvents(kept.userId)).toEqual(['UserRegistered', 'AccountDeletionRequested', 'AccountRestored']);
    expect(await t.platform.commands.credentials.findById(kept.userId)).not.toBeNull();
    const me = await api.call('GET', '/api/v1/auth/me', { token: kept.token });
    expect(me.status).toBe(200);
  });

  it('a run stopped after each step in turn resumes on the next one and ends with one AccountErased, everything of the person ended', async () => {
    const person = await api.register();
    const friend = await api.register();
    const postId = await api.createPost(person, 'mine #erasure');
    const friendsPost = await api.createPost(friend, 'theirs');
    expect((await api.call('POST', `/api/v1/posts/${friendsPost}/like`, { token: person.token })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/posts/${friendsPost}/bookmark`, { token: person.token })).status).toBe(200);
    const comment = await api.call('POST', `/api/v1/posts/${friendsPost}/comments`, { token: person.token, body: { text: 'nice one' } });
    expect(comment.status).toBe(201);
    const collection = await api.call('POST', '/api/v1/collections', { token: person.token, body: { name: 'my secret list' } });
    expect(collection.status).toBe(201);
    const collectionId: string = collection.body.collectionId;
    expect((await api.call('POST', `/api/v1/collections/${collectionId}/posts/${friendsPost}`, { token: person.token })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/users/${friend.username}/follow`, { token: person.token })).status).toBe(200);
    const followed = await api.call('POST', `/api/v1/users/${person.username}/follow`, { token: friend.token });
    expect(followed.status).toBe(200);
    const story = await api.call('POST', '/api/v1/stories', { token: person.token, body: { media: { url: 'https://cdn.example.com/s.jpg', type: 'image' } } });
    expect(story.status).toBe(201);

    crashing.set(person.userId, new Set());
    await requestDeletion(person);
    await eventually(async () => (await dueRow(person.userId)) === 'done');

    expect([...crashing.get(person.userId)!]).toEqual(STEPS);
    expect(await userEvents(person.userId)).toEqual(['UserRegistered', 'AccountDeletionRequested', 'AccountErased']);
    expect(await eventsOf('UsernameReleased', streams.username(person.username))).toHaveLength(1);
    expect(await eventsOf('PostDeleted', streams.post(postId))).toHaveLength(1);
    expect(await eventsOf('CommentDeleted', streams.comment(comment.body.commentId))).toHaveLength(1);
    expect(await eventsOf('StoryDeleted', streams.story(story.body.storyId))).toHaveLength(1);
    expect(await eventsOf('Unliked', streams.like(friendsPost, person.userId))).toHaveLength(1);
    expect(await eventsOf('Unbookmarked', streams.bookmark(person.userId, friendsPost))).toHaveLength(1);
    expect(await eventsOf('CollectionDeleted', streams.collection(collectionId))).toHaveLength(1);
    // The collection's name was sealed under the person's key: it reads as erased now.
    const [created] = await t.platform.commands.store.readStream(streams.collection(collectionId));
    expect(created?.data).toMatchObject({ name: '' });
    expect(await eventsOf('Unfollowed', streams.follow(person.userId, friend.userId))).toHaveLength(1);
    expect(await eventsOf('Unfollowed', streams.follow(friend.userId, person.userId))).toHaveLength(1);
    // Outside the log: the credentials (email and username free), the sessions' refresh tokens, the key.
    expect(await t.platform.commands.credentials.findById(person.userId)).toBeNull();
    const refresh = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: person.refreshToken } });
    expect(refresh.status).toBe(401);
    const { rows: keys } = await t.db.pool.query('select 1 from personal_data_keys where person_id = $1', [person.userId]);
    expect(keys).toHaveLength(0);
    // The friend's side is untouched.
    expect(await userEvents(friend.userId)).toEqual(['UserRegistered']);
    expect(await eventsOf('PostDeleted', streams.post(friendsPost))).toHaveLength(0);
  });
});
