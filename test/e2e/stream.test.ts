import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../app/server.js';
import { apiClient, type User } from '../support/api-client.js';
import { eventually } from '../support/kafka.js';
import { connectEventStream, type SseConnection } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestRedis, isRedisReachable } from '../support/test-redis.js';

// GET /api/v1/stream in one process listening on a real socket, on each push bus: PostgreSQL
// LISTEN/NOTIFY (REDIS_URL unset) and Redis pub/sub. Across processes: stream-processes.test.ts.
const redisUp = await isRedisReachable();

describe.each([
  { bus: 'postgres', redis: false },
  { bus: 'redis', redis: true },
])('event stream on the $bus bus', ({ redis }) => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  const open: SseConnection[] = [];
  beforeAll(async () => {
    if (redis && !redisUp) return;
    t = await startTestApp({ redis, celebrityThreshold: 3 });
    api = apiClient(t.app);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    open.forEach((connection) => connection.close());
    await t?.close();
  });

  const connect = async (path: string, token?: string) => {
    const connection = await connectEventStream(`${base}${path}`, token);
    open.push(connection);
    return connection;
  };
  /** A stream ticket of the user's session (POST /auth/stream-ticket). */
  const ticketOf = async (who: User): Promise<string> => {
    const issued = await api.call('POST', '/api/v1/auth/stream-ticket', { token: who.token });
    expect(issued.status).toBe(201);
    return issued.body.ticket as string;
  };
  const follow = (who: User, whom: User) => api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token });
  const nextJson = async (connection: SseConnection) => {
    const event = await connection.nextEvent();
    return { event: event?.event, id: event?.id, data: event ? JSON.parse(event.data) : null };
  };

  it.skipIf(redis && !redisUp)('refuses a caller without a valid token or ticket with 401; the access token in the URL is no longer taken', async () => {
    const someone = await api.register();
    const refusals = [
      ['/api/v1/stream', undefined, 'UNAUTHORIZED'],
      ['/api/v1/stream', 'not-a-token', 'UNAUTHORIZED'],
      [`/api/v1/stream?access_token=${someone.token}`, undefined, 'UNAUTHORIZED'],
      ['/api/v1/stream?ticket=not-a-ticket', undefined, 'INVALID_STREAM_TICKET'],
    ] as const;
    for (const [path, token, code] of refusals) {
      const refused = await connect(path, token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    // The ticket is the stream's alone: other routes want the header.
    expect((await api.call('GET', `/api/v1/feed/home?ticket=${await ticketOf(someone)}`)).status).toBe(401);
  });

  it.skipIf(redis && !redisUp)('takes a ticket once: a second connection with it is refused', async () => {
    const reader = await api.register();
    const ticket = await ticketOf(reader);
    const first = await connect(`/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
    expect(first.status).toBe(200);
    const again = await connect(`/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('INVALID_STREAM_TICKET');
  });

  it.skipIf(redis && !redisUp)('writes the query ticket into request logs as [redacted]', async () => {
    const lines: string[] = [];
    const logged = await buildServer({ ...t.platform, logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
    const ticket = await ticketOf(await api.register());
    await logged.inject({ method: 'GET', url: `/api/v1/stream?ticket=not-${ticket}` });
    await logged.close();
    expect(lines.join('')).toContain('ticket=[redacted]');
    expect(lines.join('')).not.toContain(ticket);
  });

  it.skipIf(redis && !redisUp)('closes an open stream when its session is revoked (logout), and its access token stops working at once', async () => {
    const reader = await api.register();
    const stream = await connect(`/api/v1/stream?ticket=${encodeURIComponent(await ticketOf(reader))}`);
    expect(stream.status).toBe(200);
    const other = await api.call('POST', '/api/v1/users/login', { body: { username: reader.username, password: 'correct horse battery' } });
    const otherStream = await connect('/api/v1/stream', other.body.accessToken);
    expect((await api.call('POST', '/api/v1/auth/logout', { token: reader.token })).status).toBe(204);
    expect(await stream.nextEvent()).toBeNull();
    expect((await api.call('GET', '/api/v1/feed/home', { token: reader.token })).status).toBe(401);
    // The other session's stream stays: a new follower's notification reaches it.
    const fan = await api.register();
    await follow(fan, reader);
    expect(await nextJson(otherStream)).toMatchObject({ event: 'notification', data: { type: 'follow', actors: [{ id: fan.userId }] } });
  });

  it.skipIf(redis && !redisUp)("pushes a followee's new post as a feed event, authenticated by ?ticket=", async () => {
    const [author, reader, bystander] = [await api.register(), await api.register(), await api.register()];
    await follow(reader, author);
    const stream = await connect(`/api/v1/stream?ticket=${encodeURIComponent(await ticketOf(reader))}`);
    const other = await connect('/api/v1/stream', bystander.token);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('x-correlation-id')).toBeTruthy(); // the hooks ran

    const postId = await api.createPost(author, 'pushed');
    expect(await nextJson(stream)).toEqual({ event: 'feed', id: '1', data: { postId, authorId: author.userId, score: expect.any(Number) } });

    // The bystander follows no one: the first thing it hears is its own followee's post.
    await follow(bystander, reader);
    const own = await api.createPost(reader, 'to the bystander');
    expect((await nextJson(other)).data.postId).toBe(own);
  });

  // Rule (docs/rules.md "Mutes"): a muted author's post is not announced to the muter; an unmute announces again.
  it.skipIf(redis && !redisUp)("announces no post of an author the reader mutes, and announces again after the unmute", async () => {
    const [muted, friend, reader] = [await api.register(), await api.register(), await api.register()];
    await follow(reader, muted);
    await follow(reader, friend);
    await api.call('POST', `/api/v1/users/${muted.username}/mute`, { token: reader.token });
    // A mute is eventually consistent: a post racing it (fanned out before the profiles projector has
    // the mute) may still be announced, so the post comes once the read side knows the mute.
    await eventually('the mute in the card cache', () => t.platform.reads.cards.muting(reader.userId, muted.userId), 10_000);
    const stream = await connect('/api/v1/stream', reader.token);
    await api.createPost(muted, 'not announced');
    // Pushed in the log's order: had the muted author's post been sent, it would come first.
    const friends = await api.createPost(friend, 'announced');
    expect(await nextJson(stream)).toMatchObject({ event: 'feed', data: { postId: friends, authorId: friend.userId } });
    await api.call('DELETE', `/api/v1/users/${muted.username}/mute`, { token: reader.token });
    // The unmute reaches the cached pair facts within one bus hop (this process's cache serves the stream).
    await eventually('the unmute in the card cache', async () => !(await t.platform.reads.cards.muting(reader.userId, muted.userId)), 10_000);
    const again = await api.createPost(muted, 'announced again');
    expect(await nextJson(stream)).toMatchObject({ event: 'feed', data: { postId: again, authorId: muted.userId } });
  });

  it.skipIf(redis && !redisUp)('pushes a like to the author as a notification event', async () => {
    const [author, fan] = [await api.register(), await api.register()];
    const postId = await api.createPost(author, 'likeable');
    const stream = await connect('/api/v1/stream', author.token);
    await api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token });
    const { event, data } = await nextJson(stream);
    expect(event).toBe('notification');
    expect(data).toMatchObject({ type: 'like', post: { id: postId }, actors: [{ id: fan.userId, username: fan.username }], read: false });
  });

  it.skipIf(redis && !redisUp)('pushes nothing for a post handled in a replay', async () => {
    const [author, reader] = [await api.register(), await api.register()];
    await follow(reader, author);
    const stream = await connect('/api/v1/stream', reader.token);
    const first = await api.createPost(author, 'live');
    expect((await nextJson(stream)).data.postId).toBe(first);

    // The same PostCreated again, as a replay applies it (under a scratch checkpoint key).
    const [created] = await t.platform.commands.store.readStream(`post-${first}`);
    const feed = t.platform.readModels.projections().find((projection) => projection.name === 'feed')!;
    await feed.apply({ events: [created!], position: created!.position, replay: true }, 'feed-replay-test');
    const second = await api.createPost(author, 'live again');
    expect(await nextJson(stream)).toMatchObject({ id: '2', data: { postId: second } });
  });

  it.skipIf(redis && !redisUp)("ends its subscription when the client goes, and open streams when the server closes", async () => {
    const [author, reader] = [await api.register(), await api.register()];
    await follow(reader, author);
    const gone = await connect('/api/v1/stream', reader.token);
    gone.close();
    if (redis) {
      // The bus drops the user's channel once the last stream of the user is gone.
      const probe = await createTestRedis();
      const subscribers = async () => {
        const reply = await probe.client.call('pubsub', 'numsub', `${t.redis!.prefix}push:{${reader.userId}}`);
        return Number((reply as [string, number])[1]);
      };
      while ((await subscribers()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      probe.client.disconnect();
    }
    const staying = await connect('/api/v1/stream', reader.token);
    const closing = t.app.close();
    expect(await staying.nextEvent()).toBeNull(); // the server ended it; the close did not hang on it
    await closing;
  });
});
