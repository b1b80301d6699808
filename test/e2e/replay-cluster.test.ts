import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpRedisKeys } from '../../projections/runtime/dump-redis.js';
import { apiClient, type User } from '../support/api-client.js';
import { runReplay } from '../support/replay-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CLUSTER_SKIP_REASON, isRedisClusterReachable } from '../support/test-redis.js';

// The replay CLI with feeds and stories on a Redis Cluster (REDIS_CLUSTER_NODES: 3 primaries,
// 3 replicas, which npm run services:up starts): a blue/green rebuild of both into generation 2,
// whose keys land on every primary (a user's keys under one hash tag, users spread over the
// slots); the API answers the same before, during and after; verify finds the rebuilt generation
// equal to a fresh rebuild; drop-old removes generation 1's keys from every primary (the cluster's
// SCAN is per node: projections/runtime/dump-redis.ts scans each).
const clusterUp = await isRedisClusterReachable();

describe.skipIf(!clusterUp)(`replay CLI on a Redis Cluster${clusterUp ? '' : ` (${CLUSTER_SKIP_REASON})`}`, () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let viewers: User[];
  let authors: User[];
  let last = '';
  const track = <T extends { body: { position?: string } }>(response: T) => {
    if (response.body?.position && response.body.position > last) last = response.body.position;
    return response;
  };
  /** What each viewer sees: every read below must keep answering exactly this. */
  const observe = async () =>
    Promise.all(
      viewers.map(async (viewer) => {
        const get = async (url: string) => {
          const response = await api.call('GET', url, { token: viewer.token });
          expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(200);
          expect(response.headers['x-degraded'], url).toBeUndefined();
          return response.body;
        };
        return { feed: await get('/api/v1/feed/home?limit=100'), tray: await get('/api/v1/stories/feed') };
      }),
    );
  /**
   * Generation n's keys of the feed and stories read models, on every primary, each named as
   * generation 1 names it: generation 1 lives under the bare prefix, generation n under `g<n>.<model>:`.
   */
  const generationKeys = async (generation: number) => {
    const prefix = t.redisCluster!.prefix;
    const keys = [...(await dumpRedisKeys(t.redisCluster!.client, prefix, [`${prefix}*`])).keys()];
    if (generation > 1) return keys.flatMap((key) => key.match(new RegExp(`^g${generation}\\.(?:feed|stories):(.*)$`))?.slice(1) ?? []).sort();
    return keys.filter((key) => !/^g\d+\./.test(key) && /^(feed|stories|epoch:(feed|stories))/.test(key)).sort();
  };

  beforeAll(async () => {
    t = await startTestApp({ redisCluster: true });
    api = apiClient(t.app);
    viewers = [];
    authors = [];
    for (let i = 0; i < 6; i++) viewers.push(await api.register(`viewer${i}`));
    for (let i = 0; i < 4; i++) authors.push(await api.register(`author${i}`));
    for (const viewer of viewers) for (const author of authors) track(await api.call('POST', `/api/v1/users/${author.username}/follow`, { token: viewer.token }));
    for (let round = 0; round < 3; round++) {
      for (const author of authors) {
        const postId = await api.createPost(author, `round ${round} by ${author.username}`);
        track(await api.call('POST', `/api/v1/posts/${postId}/like`, { token: viewers[round]!.token }));
      }
    }
    for (const author of authors.slice(0, 2)) track(await api.call('POST', '/api/v1/stories', { token: author.token, body: { media: { url: 'https://cdn.example.com/s.jpg', type: 'image' } } }));
    const caughtUp = await api.call('GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(last)}`, { token: viewers[0]!.token });
    expect(caughtUp.headers['x-stale-projections']).toBeUndefined();
    for (const name of ['feed', 'stories']) {
      const projection = t.platform.readModels.projections().find((p) => p.name === name)!;
      for (let i = 0; i < 600 && (await projection.checkpoint(name)) < last; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await projection.checkpoint(name)) >= last, `${name} caught up with the seed`).toBe(true);
    }
  });
  afterAll(() => t?.close());

  it('rebuilds feed and stories into generation 2 on every primary while the API answers the same; verify agrees; drop-old empties generation 1 everywhere', async () => {
    const before = await observe();
    expect(before.every(({ feed }) => feed.items.length === 12)).toBe(true);
    expect(before.every(({ tray }) => tray.items.length === 2)).toBe(true);
    const firstGeneration = await generationKeys(1);
    expect(firstGeneration.length).toBeGreaterThan(0);

    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        expect(await observe()).toEqual(before); // never empty, never a mix of generations
        reads++;
      }
    })();
    const run = await runReplay(t, ['rebuild', 'feed', 'stories', '--batch-size', '10', '--handover-ms', '300', '--json']);
    reading = false;
    await reader;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(run.records.at(-1)).toMatchObject({ type: 'result', ok: true, switched: ['feed', 'stories'] });
    await t.platform.readModels.refresh();
    expect(t.platform.readModels.generations()).toMatchObject({ feed: 2, stories: 2 });
    expect(await observe()).toEqual(before);

    // Generation 2 holds a key for every key of generation 1, spread over the cluster's slots.
    const rebuilt = await generationKeys(2);
    const prefix = t.redisCluster!.prefix;
    expect(rebuilt).toEqual(firstGeneration);
    // ... and the users' feeds on every primary: the owner of each one's slot, in the client's slot map.
    const cluster = t.redisCluster!.client;
    const feeds = rebuilt.filter((key) => key.startsWith('feed:{'));
    const owners = new Set(await Promise.all(feeds.map(async (key) => cluster.slots[(await cluster.cluster('KEYSLOT', `${prefix}g2.feed:${key}`)) as number]![0])));
    expect(owners.size).toBe(3);

    for (const projection of ['feed', 'stories']) {
      const verified = await runReplay(t, ['verify', projection, '--json']);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    }

    const dropped = await runReplay(t, ['drop-old', '--grace', '0', '--json']);
    expect(dropped.code, dropped.stdout + dropped.stderr).toBe(0);
    expect(await generationKeys(1)).toEqual([]);
    expect((await generationKeys(2)).length).toBe(rebuilt.length);
    expect(await observe()).toEqual(before);
  });
});
