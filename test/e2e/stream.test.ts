import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../app/server.js';
import { apiClient, type User } from '../support/api-client.js';
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
  const follow = (who: User, whom: User) => api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token });
  const nextJson = async (connection: SseConnection) => {
    const event = await connection.nextEvent();
    return { event: event?.event, id: event?.id, data: event ? JSON.parse(event.data) : null };
  };

  it.skipIf(redis && !redisUp)('refuses a caller without a valid token with 401, by header or query', async () => {
    for (const [path, token] of [['/api/v1/stream', undefined], ['/api/v1/stream', 'not-a-token'], ['/api/v1/stream?access_token=not-a-token', undefined]] as const) {
      const refused = await connect(path, token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    }
    // The query token is the stream's alone: other routes still want the header.
    const someone = await api.register();
    expect((await api.call('GET', `/api/v1/feed/home?access_token=${someone.token}`)).status).toBe(401);
  });

  it.skipIf(redis && !redisUp)('writes the query token into request logs as [redacted]', async () => {
    const lines: string[] = [];
    const logged = await buildServer({ ...t.platform, logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
    const token = (await api.register()).token;
    await logged.inject({ method: 'GET', url: `/api/v1/stream?access_token=not-${token}` });
    await logged.close();
    expect(lines.join('')).toContain('access_token=[redacted]');
    expect(lines.join('')).not.toContain(token);
  });

  it.skipIf(redis && !redisUp)("pushes a followee's new post as a feed event, authenticated by ?access_token=", async () => {
    const [author, reader, bystander] = [await api.register(), await api.register(), await api.register()];
    await follow(reader, author);
    const stream = await connect(`/api/v1/stream?access_token=${encodeURIComponent(reader.token)}`);
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
