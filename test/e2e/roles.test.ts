import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startEntrypoint, waitUntilReady, type Running } from '../support/entrypoint.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The same build as separate processes against shared servers: an `api` process takes commands
// and queries, a `projector` process builds the read models it serves, a `worker` expires stories.
let db: TestDatabase;
let dir: string;
const processes: Running[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'ig-roles-'));
  await chmod(dir, 0o755);
});
afterAll(async () => {
  for (const running of processes) running.child.kill('SIGTERM');
  await Promise.all(processes.map((running) => running.exited));
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('roles as separate processes', () => {
  it('an api process serves what a separate projector process projects; non-API roles serve only operations', { timeout: 120_000 }, async () => {
    const shared = { DATABASE_URL: db.url, PORT: '0', DATA_DIR: dir, JWT_SECRET: 'a-shared-secret-of-at-least-32-characters', MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' };
    // One role chosen by variable, the other by flag: both ways work.
    const api = await startEntrypoint(dir, { ...shared, ROLE: 'api' });
    processes.push(api);
    const projector = await startEntrypoint(dir, shared, ['--role', 'projector']);
    processes.push(projector);
    await waitUntilReady(api.address);
    await waitUntilReady(projector.address);

    const register = (username: string) =>
      callJson(api.address, 'POST', '/api/v1/users/register', undefined, { username, email: `${username}@example.com`, password: 'correct horse battery' });
    const author = (await register('author')).body;
    const reader = (await register('reader')).body;
    await callJson(api.address, 'POST', '/api/v1/users/author/follow', reader.accessToken);
    const created = await callJson(api.address, 'POST', '/api/v1/posts', author.accessToken, {
      caption: 'across processes',
      media: [{ url: 'https://cdn.example.com/x.jpg', type: 'image' }],
    });
    const feed = await callJson(api.address, 'GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(created.body.position)}`, reader.accessToken);
    expect(feed.body.items.map((p: { id: string }) => p.id)).toEqual([created.body.postId]);

    // The projections ran in the projector process, not in the api process.
    const metricsOf = async (address: string) => (await fetch(`${address}/metrics`)).text();
    expect(await metricsOf(projector.address)).toMatch(/projection_lag_events\{projection="feed"\}/);
    expect(await metricsOf(api.address)).not.toMatch(/projection_lag_events\{/);
    expect((await callJson(projector.address, 'GET', '/health')).status).toBe(200);
    expect((await callJson(projector.address, 'POST', '/api/v1/users/login', undefined, { username: 'reader', password: 'x' })).status).toBe(404);
  });
});
