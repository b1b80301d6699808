import { connect as connectTcp } from 'node:net';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../app/server.js';
import type { EventStore } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { STALE_HEADER } from '../../read-api/freshness.js';
import { apiClient, type User } from '../support/api-client.js';
import { connectEventStream, type SseConnection } from '../support/sse-client.js';
import { startTestApp, useTestApp, type TestApp } from '../support/test-app.js';

// Bounded reads (issue 13, review F8 and F16): what one client can make a process hold is bounded
// by validation, the shared read-your-writes waiter, pool and statement timeouts, request
// timeouts and caps on event streams. Every wait below is bounded and none asserts a duration.

/** Polls `check` until it holds (bounded), for effects another part of the process brings about. */
const eventually = async (check: () => Promise<boolean> | boolean, what: string, attempts = 400) => {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never happened: ${what}`);
};

const listening = async (t: TestApp) => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
};

describe('?minPosition=', () => {
  const { t, api } = useTestApp();
  let reader: User;
  beforeAll(async () => {
    reader = await api.register();
  });

  it.each(['/api/v1/feed/home', '/api/v1/search/autocomplete?q=a', '/api/v1/users/someone', '/api/v1/notifications'])(
    '%s refuses ?minPosition=~ (not a position) with 400 VALIDATION_FAILED naming minPosition',
    async (url) => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await api.call('GET', `${url}${separator}minPosition=~`, { token: reader.token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'minPosition', location: 'querystring' })]);
    },
  );

  it('answers a well-formed position past the log at once, naming the projections it reads as stale, holding no waiter', async () => {
    const past = 'ffffffffffffffff:ffffffffffffffff';
    const response = await api.call('GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(past)}`, { token: reader.token });
    expect(response.status).toBe(200);
    expect(String(response.headers[STALE_HEADER]).split(',').sort()).toEqual(['feed', 'profiles']);
    expect((t.platform.reads.freshness as unknown as { waiting: number }).waiting).toBe(0);
  });

  it('still waits for a position an append handed out while an older transaction holds the visible head behind it', async () => {
    const author = await api.register();
    const postId = await api.createPost(author);
    const older = await t.db.pool.connect();
    try {
      // A transaction with an id, still open: the gap-free head (and every projector) stays behind it.
      await older.query('begin');
      await older.query('select pg_current_xact_id()');
      const liked = await api.call('POST', `/api/v1/posts/${postId}/like`, { token: reader.token });
      const position = liked.body.position as string;
      expect((await t.platform.commands.store.headPosition()) < position).toBe(true);
      const read = api.call('GET', `/api/v1/posts/${postId}?minPosition=${encodeURIComponent(position)}`, { token: reader.token });
      // The read waits (it is not answered stale at once)...
      await eventually(() => (t.platform.reads.freshness as unknown as { waiting: number }).waiting > 0, 'the read to wait');
      await older.query('commit');
      // ...and once the projections pass the position it answers fresh, the like in it.
      const answer = await read;
      expect(answer.headers[STALE_HEADER]).toBeUndefined();
      expect(answer.body).toMatchObject({ id: postId, likeCount: 1, likedByMe: true });
    } finally {
      await older.query('rollback').catch(() => undefined);
      older.release();
    }
  });
});

describe('PostgreSQL pools and timeouts', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let side: EventStore;
  beforeAll(async () => {
    t = await startTestApp({ database: { apiPoolSize: 3, connectTimeoutMs: 500, statementTimeoutMs: 1_500 } });
    api = apiClient(t.app);
    side = await createPostgresEventStore(t.db.pool);
  });
  afterAll(async () => {
    await side?.close();
    await t?.close();
  });

  it('answers 503 naming postgresql when a statement runs past statement_timeout, and appends nothing', async () => {
    const [author, liker] = [await api.register(), await api.register()];
    const postId = await api.createPost(author);
    const { store } = t.platform.commands;
    // The like's append is preceded by a statement longer than the timeout on the API's pool.
    const slowStore: EventStore = {
      ...store,
      append: async (streamId, events, expected) => {
        await t.platform.pool.query('select pg_sleep(10)');
        return store.append(streamId, events, expected);
      },
    };
    const slow = await buildServer({ ...t.platform, commands: { ...t.platform.commands, store: slowStore } });
    try {
      const response = await apiClient(slow).call('POST', `/api/v1/posts/${postId}/like`, { token: liker.token });
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: [{ path: 'postgresql' }] });
      expect((await t.allEvents()).filter((event) => event.type === 'Liked')).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('answers 503 naming postgresql when the API pool is full, while the projectors, on their own pool, go on', async () => {
    const someone = await api.register();
    const held: pg.PoolClient[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await t.platform.pool.connect());
      const response = await api.call('GET', `/api/v1/users/${someone.username}`, { token: someone.token });
      expect(response.status).toBe(503);
      expect(response.body.error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: [{ path: 'postgresql' }] });
      // An event appended from elsewhere still reaches every projector's checkpoint.
      const appended = await side.append(`bounded-${uuidv7()}`, [likedEvent()], 'no_stream');
      const names = t.platform.readModels.projections().map((projection) => projection.name);
      const checkpoints = async () =>
        (await t.db.pool.query<{ key: string; position: string }>('select key, position from projection_checkpoints where key = any($1)', [names])).rows;
      await eventually(async () => {
        const rows = await checkpoints();
        return rows.length === names.length && rows.every((row) => row.position >= appended.position);
      }, 'every projection to pass the append with the API pool full');
    } finally {
      for (const client of held) client.release();
    }
    expect((await api.call('GET', `/api/v1/users/${someone.username}`, { token: someone.token })).status).toBe(200);
  });
});

const likedEvent = () => ({
  eventId: uuidv7(),
  type: 'Liked',
  data: { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' },
  metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' },
});

describe('HTTP timeouts and event stream caps', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let base: string;
  const open: SseConnection[] = [];
  beforeAll(async () => {
    t = await startTestApp({ serving: { requestTimeoutMs: 400, streamsPerAccount: 2, streamsPerProcess: 3 } });
    api = apiClient(t.app);
    base = await listening(t);
  });
  afterAll(async () => {
    open.forEach((connection) => connection.close());
    await t?.close();
  });
  const stream = async (user: User) => {
    const connection = await connectEventStream(`${base}/api/v1/stream`, user.token);
    open.push(connection);
    return connection;
  };

  it('caps open streams per account (429) and per process (503) before holding one, and frees a slot when a stream closes', async () => {
    const [ann, bob, cat] = [await api.register(), await api.register(), await api.register()];
    const [first, second] = [await stream(ann), await stream(ann)];
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await stream(ann);
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_STREAMS');

    expect((await stream(bob)).status).toBe(200);
    const full = await stream(cat);
    expect(full.status).toBe(503);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('STREAMS_FULL');

    // Hanging up gives the slot back (once the server has seen the socket go).
    first.close();
    let again: SseConnection | undefined;
    await eventually(async () => {
      again = await stream(cat);
      if (again.status !== 200) again.close();
      return again.status === 200;
    }, "the closed stream's slot to be free");
    expect(again!.status).toBe(200);
    // The stream taken in its place works: a follow's notification arrives on it.
    await api.call('POST', `/api/v1/users/${cat.username}/follow`, { token: bob.token });
    expect((await again!.nextEvent())?.event).toBe('notification');
    for (const connection of open.splice(0)) connection.close();
  });

  it('cuts a request whose body trickles in past the request timeout, and keeps an event stream open well past it', async () => {
    const streamer = await api.register();
    const follower = await api.register();
    // The streams of the test before are being closed: a slot comes free.
    let live: SseConnection | undefined;
    await eventually(async () => {
      live = await stream(streamer);
      return live.status === 200;
    }, 'a free stream slot');

    const { port } = t.app.server.address() as AddressInfo;
    const socket = connectTcp(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(`POST /api/v1/posts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${follower.token}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`);
    // One byte now and then, as a slow-body client sends: never the whole body.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      await closed;
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408/);

    // The stream opened before the trickle, several request timeouts ago, still delivers.
    await api.call('POST', `/api/v1/users/${streamer.username}/follow`, { token: follower.token });
    expect((await live!.nextEvent())?.event).toBe('notification');
  });
});
