import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEGRADED_HEADER } from '../../read-api/degraded.js';
import { epochKey } from '../../projections/runtime/redis-epoch.js';
import { FEED_LAYOUT } from '../../projections/feed/feed-read-model.js';
import { feedKeys } from '../../projections/feed/feed-keys.js';
import { createProfilesReader } from '../../projections/profiles/profiles-reader.js';
import { apiClient, type User } from '../support/api-client.js';
import { explainAnalyze, recordingPool, rowsReadFrom } from '../support/explain-plan.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';
import { freePort } from '../../scripts/services/probe.js';

// Degraded, not down (read-api/degraded.ts), and a Redis that lost its data (review F26,
// projections/runtime/redis-epoch.ts), against a real redis-server of this file's own on a free
// loopback port (never the shared one), stopped and started mid-run: first with its data dir
// (AOF), then empty.

const startRedis = (port: number, dir: string) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });

const stopRedis = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

const media = { url: 'https://cdn.example.com/s.mp4', type: 'video' };
const WAIT = { timeout: 90_000, interval: 100 };

describe('Redis stopped mid-run', () => {
  let port: number;
  const dirs: string[] = [];
  let server: ChildProcess;
  let t: TestApp;
  let api: ApiClient;
  const newDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ig-redis-outage-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port, await newDir());
    t = await startTestApp({ redis: true, redisUrl: `redis://127.0.0.1:${port}` });
    api = apiClient(t.app);
    t.redis!.client.on('error', () => undefined); // this file stops the server on purpose
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (server) await stopRedis(server);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  const home = (who: User, query = '') => api.call('GET', `/api/v1/feed/home${query}`, { token: who.token });
  const tray = (who: User) => api.call('GET', '/api/v1/stories/feed', { token: who.token });
  const ids = (items: { id: string }[]) => items.map((item) => item.id);

  let author: User;
  let reader: User;
  const posts: string[] = [];
  let epoch: string | null = null;
  const feedEpoch = () => t.redis!.client.get(epochKey(t.redis!.prefix, 'feed', FEED_LAYOUT));

  it('answers the home feed from Redis while Redis is up', async () => {
    [author, reader] = [await api.register(), await api.register()];
    expect((await api.call('POST', `/api/v1/users/${author.username}/follow`, { token: reader.token })).status).toBe(200);
    posts.push(await api.createPost(author, 'before the outage'));
    expect((await api.call('POST', '/api/v1/stories', { token: author.token, body: { media } })).status).toBe(201);
    await vi.waitFor(async () => {
      const [feed, stories] = [await home(reader), await tray(reader)];
      expect(feed.headers[DEGRADED_HEADER]).toBeUndefined();
      expect(ids(feed.body.items)).toEqual(posts);
      expect(stories.body.items.map((entry: { author: { id: string } }) => entry.author.id)).toEqual([author.userId]);
    }, WAIT);
    const ranked = await home(reader, '?order=ranked');
    expect(ranked.headers[DEGRADED_HEADER]).toBeUndefined();
    expect(ids(ranked.body.items)).toEqual(posts);
    epoch = await feedEpoch();
    expect(epoch).not.toBeNull();
  });

  it('answers the home feed by pull, an empty tray and the post page from PostgreSQL while Redis is down, marked degraded', async () => {
    await stopRedis(server);
    // A post made during the outage: the profiles read model has it, the Redis feed cannot yet.
    posts.unshift(await api.createPost(author, 'during the outage'));
    await vi.waitFor(async () => {
      const feed = await home(reader);
      expect(feed.status).toBe(200);
      expect(feed.headers[DEGRADED_HEADER]).toBe('feed');
      expect(ids(feed.body.items)).toEqual(posts);
    }, WAIT);
    // Keyset pages by pull, with the Redis feed's cursor.
    const first = await home(reader, '?limit=1');
    expect(ids(first.body.items)).toEqual([posts[0]]);
    const second = await home(reader, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.headers[DEGRADED_HEADER]).toBe('feed');
    expect(ids(second.body.items)).toEqual([posts[1]]);
    expect(second.body.nextCursor).toBeNull();
    // Ranked falls back to the same chronological pull; a ranked cursor (its order pinned in Redis) starts it from the top.
    const rankedCursor = Buffer.from(JSON.stringify(['0190a0a0-0000-7000-8000-000000000000', 1])).toString('base64url');
    const ranked = await home(reader, `?order=ranked&limit=1&cursor=${rankedCursor}`);
    expect([ranked.status, ranked.headers[DEGRADED_HEADER]]).toEqual([200, 'feed']);
    expect(ids(ranked.body.items)).toEqual([posts[0]]);

    const stories = await tray(reader);
    expect(stories.status).toBe(200);
    expect(stories.headers[DEGRADED_HEADER]).toBe('stories');
    expect(stories.body.items).toEqual([]);

    // The post page reads only the profiles read model: nothing of it is degraded.
    const page = await api.call('GET', `/api/v1/posts/${posts[1]}`, { token: reader.token });
    expect(page.status).toBe(200);
    expect(page.body.id).toBe(posts[1]);
    expect(page.headers[DEGRADED_HEADER]).toBeUndefined();

    // Reads that need Redis and have no fallback answer 503 naming it.
    const own = await api.call('GET', `/api/v1/users/${author.username}/stories`, { token: reader.token });
    expect(own.status).toBe(503);
  });

  it('pulls a degraded page in one query that reads posts through posts_by_author, at most a page per author', async () => {
    const sent: { text: unknown; values: unknown[] }[] = [];
    const profiles = createProfilesReader(recordingPool(t.platform.pool, sent as { text: string; values: unknown[] }[]));
    expect(ids(await profiles.pullFeed(reader.userId, null, 1))).toEqual([posts[0]]);
    expect(sent).toHaveLength(1);
    const { text, values } = sent[0]!.text as { text: string; values: unknown[] };
    const nodes = await explainAnalyze(t.platform.pool, { text, values });
    expect(nodes.some((node) => node['Index Name'] === 'posts_by_author')).toBe(true);
    // Two authors (the reader and the one followed), a page of one each.
    expect(rowsReadFrom(nodes.filter((node) => node['Index Name'] === 'posts_by_author'), 'posts')).toBeLessThanOrEqual(2);
  });

  it('catches the Redis read models up from their checkpoints when Redis comes back with its data', async () => {
    server = await startRedis(port, dirs[0]!);
    await vi.waitFor(async () => {
      const feed = await home(reader);
      expect(feed.headers[DEGRADED_HEADER]).toBeUndefined();
      expect(ids(feed.body.items)).toEqual(posts);
    }, WAIT);
    // From Redis itself: the post made during the outage was fanned out on catch-up.
    expect(await t.redis!.client.zrevrange(feedKeys(t.redis!.prefix).feed(reader.userId), 0, -1)).toEqual(posts);
    // Same data, same epoch: no rebuild.
    expect(await feedEpoch()).toBe(epoch);
    const stories = await tray(reader);
    expect(stories.headers[DEGRADED_HEADER]).toBeUndefined();
    expect(stories.body.items).toHaveLength(1);
  });

  it('detects a Redis that came back empty and rebuilds its read models, never serving them empty as caught up', async () => {
    await stopRedis(server);
    server = await startRedis(port, await newDir());
    // Every answer until the rebuild is done is either marked degraded or whole: never an empty
    // feed or tray served as if caught up.
    const servedPartial: unknown[] = [];
    await vi.waitFor(async () => {
      const [feed, stories] = [await home(reader), await tray(reader)];
      expect(feed.status).toBe(200);
      expect(stories.status).toBe(200);
      if (feed.headers[DEGRADED_HEADER] === undefined && ids(feed.body.items).join() !== posts.join()) servedPartial.push(feed.body);
      if (stories.headers[DEGRADED_HEADER] === undefined && stories.body.items.length !== 1) servedPartial.push(stories.body);
      expect(feed.headers[DEGRADED_HEADER]).toBeUndefined();
      expect(stories.headers[DEGRADED_HEADER]).toBeUndefined();
    }, WAIT);
    expect(servedPartial).toEqual([]);
    const rebuiltEpoch = await feedEpoch();
    expect(rebuiltEpoch).not.toBeNull();
    expect(rebuiltEpoch).not.toBe(epoch);
    expect(await t.redis!.client.zrevrange(feedKeys(t.redis!.prefix).feed(reader.userId), 0, -1)).toEqual(posts);
  });
});
