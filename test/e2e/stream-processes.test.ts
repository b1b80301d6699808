import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startEntrypoint, waitUntilReady, type Running } from '../support/entrypoint.js';
import { connectEventStream, type SseConnection } from '../support/sse-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The stream across processes: two `api` processes and a `projector`, the real entrypoint each,
// sharing PostgreSQL (and so its push bus, LISTEN/NOTIFY, as on the embedded defaults). A client
// holds its stream on API process B; everything it hears was written through A and projected
// in the projector, a third process: a followee's post (feed) and a like (notifications).
let db: TestDatabase;
let dir: string;
const processes: Running[] = [];
const streams: SseConnection[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'ig-stream-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  streams.forEach((stream) => stream.close());
  for (const running of processes) running.child.kill('SIGTERM');
  await Promise.all(processes.map((running) => running.exited));
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('event stream across processes', () => {
  it('clients on API process B hear of a post and a like made through API process A, and process B stops while they listen', { timeout: 120_000 }, async () => {
    const shared = { DATABASE_URL: db.url, PORT: '0', DATA_DIR: dir, JWT_SECRET: 'a-shared-secret-of-at-least-32-characters', LOG_LEVEL: 'warn', MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' };
    // One after the other: the first start creates the tables (concurrent CREATE TABLE IF NOT EXISTS races).
    const start = async (role: string) => {
      const running = await startEntrypoint(dir, { ...shared, ROLE: role });
      processes.push(running);
      await waitUntilReady(running.address);
      return running;
    };
    const a = await start('api');
    const b = await start('api');
    await start('projector');

    const register = async (username: string) =>
      (await callJson(a.address, 'POST', '/api/v1/users/register', undefined, { username, email: `${username}@example.com`, password: 'correct horse battery' })).body;
    const [author, reader] = [await register('author'), await register('reader')];
    await callJson(a.address, 'POST', '/api/v1/users/author/follow', reader.accessToken);

    // The ticket asked for on A opens the stream on B: tickets are kept in PostgreSQL.
    const { ticket } = (await callJson(a.address, 'POST', '/api/v1/auth/stream-ticket', reader.accessToken)).body;
    const stream = await connectEventStream(`${b.address}/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
    streams.push(stream);
    expect(stream.status).toBe(200);
    const created = await callJson(a.address, 'POST', '/api/v1/posts', author.accessToken, {
      caption: 'across processes',
      media: [{ url: 'https://cdn.example.com/x.jpg', type: 'image' }],
    });
    const event = await stream.nextEvent();
    expect(event?.event).toBe('feed');
    expect(JSON.parse(event!.data)).toEqual({ postId: created.body.postId, authorId: author.userId, score: expect.any(Number) });

    // A like through A: the notifications projection pushes to the author, whose stream is on B.
    const authorStream = await connectEventStream(`${b.address}/api/v1/stream`, author.accessToken);
    streams.push(authorStream);
    await callJson(a.address, 'POST', `/api/v1/posts/${created.body.postId}/like`, reader.accessToken);
    // The follow's notification may still come first, if it was projected after the author connected.
    let notification = await authorStream.nextEvent();
    while (notification && JSON.parse(notification.data).type === 'follow') notification = await authorStream.nextEvent();
    expect(notification?.event).toBe('notification');
    expect(JSON.parse(notification!.data)).toMatchObject({ type: 'like', post: { id: created.body.postId }, actors: [{ id: reader.userId }] });

    // A logout through A ends the reader's stream on B, and B refuses the reader's access token
    // (the revocation reaches B through LISTEN/NOTIFY, not a lookup per request).
    expect((await callJson(a.address, 'POST', '/api/v1/auth/logout', reader.accessToken)).status).toBe(204);
    expect(await stream.nextEvent()).toBeNull();
    expect((await callJson(b.address, 'GET', '/api/v1/feed/home', reader.accessToken)).status).toBe(401);

    // SIGTERM with a stream open: the process ends the stream and exits instead of waiting on it.
    b.child.kill('SIGTERM');
    expect(await authorStream.nextEvent()).toBeNull();
    expect(await b.exited).toBe(0);
  });
});
