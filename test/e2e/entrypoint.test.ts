import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInto, callJson, compiledMain, startEntrypoint as start, waitUntilReady } from '../support/entrypoint.js';
import { createTestDatabase } from '../support/test-database.js';

// The real entrypoint, as `npm start` runs it, with no configuration at all: it must start the
// bundled PostgreSQL under ./data, serve the API, stop cleanly on SIGTERM, and find the same data
// on a second start. It runs in a directory of its own so that ./data is the test's.
// Then the compiled build, as production runs it (`npm run build`, `npm run start:prod`).

const postgresProcessesUnder = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
};

const dir = await mkdtemp(join(tmpdir(), 'ig-entrypoint-'));
// mkdtemp makes it private; run as root, the bundled PostgreSQL runs as another user who must reach ./data.
await chmod(dir, 0o755);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm start with no configuration', () => {
  it('serves register -> follow -> post -> home feed, stops cleanly on SIGTERM, and keeps its data', { timeout: 180_000 }, async () => {
    // The one setting: this post carries an external URL (uploads are test/e2e/media-surfaces.test.ts's).
    const first = await start(dir, { MEDIA_EXTERNAL_HOSTS: 'cdn.example.com' });
    try {
      const ready = await waitUntilReady(first.address);
      expect(ready.backends).toEqual({ postgresql: 'up', 'local-storage': 'up' });
      const register = (username: string) =>
        callJson(first.address, 'POST', '/api/v1/users/register', undefined, { username, email: `${username}@example.com`, password: 'correct horse battery' });
      const alice = (await register('alice')).body;
      const bob = (await register('bob')).body;
      await callJson(first.address, 'POST', '/api/v1/users/alice/follow', bob.accessToken);
      const created = await callJson(first.address, 'POST', '/api/v1/posts', alice.accessToken, {
        caption: 'first post #hello',
        media: [{ url: 'https://cdn.example.com/1.jpg', type: 'image' }],
      });
      expect(created.status).toBe(201);
      const feed = await callJson(first.address, 'GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(created.body.position)}`, bob.accessToken);
      expect(feed.body.items.map((p: { id: string }) => p.id)).toEqual([created.body.postId]);
    } finally {
      first.child.kill('SIGTERM');
    }
    expect(await first.exited, first.output()).toBe(0);
    expect(postgresProcessesUnder(dir)).toBe('');

    const second = await start(dir);
    try {
      await waitUntilReady(second.address);
      const login = await callJson(second.address, 'POST', '/api/v1/users/login', undefined, { username: 'bob', password: 'correct horse battery' });
      expect(login.status).toBe(200);
      const feed = await callJson(second.address, 'GET', '/api/v1/feed/home', login.body.accessToken);
      expect(feed.body.items.map((p: { caption: string }) => p.caption)).toEqual(['first post #hello']);
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited, second.output()).toBe(0);
    expect(postgresProcessesUnder(dir)).toBe('');
  });
});

describe('npm run build, then npm run start:prod', () => {
  it('the compiled JavaScript starts the platform as npm start does, serves the API and its docs, and stops cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    const build = await mkdtemp(join(tmpdir(), 'ig-build-'));
    const cwd = await mkdtemp(join(tmpdir(), 'ig-compiled-'));
    const db = await createTestDatabase();
    try {
      await buildInto(build);
      const running = await start(cwd, { DATABASE_URL: db.url, PORT: '0' }, [], compiledMain(build));
      try {
        expect((await waitUntilReady(running.address)).backends).toEqual({ postgresql: 'up', 'local-storage': 'up' });
        const registered = await callJson(running.address, 'POST', '/api/v1/users/register', undefined, {
          username: 'carol',
          email: 'carol@example.com',
          password: 'correct horse battery',
        });
        expect(registered.status).toBe(201);
        const login = await callJson(running.address, 'POST', '/api/v1/users/login', undefined, { username: 'carol', password: 'correct horse battery' });
        expect(login.status).toBe(200);
        const docs = await fetch(`${running.address}/docs`);
        expect(docs.status).toBe(200);
        expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
      } finally {
        running.child.kill('SIGTERM');
      }
      expect(await running.exited, running.output()).toBe(0);
    } finally {
      await db.drop();
      await rm(build, { recursive: true, force: true });
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
