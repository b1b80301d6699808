import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listGenerations } from '../../projections/runtime/generations.js';
import { apiClient, type User } from '../support/api-client.js';
import { runReplay } from '../support/replay-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { isRedisReachable } from '../support/test-redis.js';

// The replay CLI against a running platform (feeds and stories in Redis, search in the real
// Elasticsearch, profiles in PostgreSQL): a blue/green rebuild of every projection while the API
// answers, resume after Ctrl-C, verify against a planted difference, and drop-old.
const redisUp = await isRedisReachable();

describe.skipIf(!redisUp)('replay CLI on a running platform', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  let viewer: User;
  let authors: User[];
  let last = '';

  const track = <T extends { body: { position?: string } }>(response: T) => {
    if (response.body?.position && response.body.position > last) last = response.body.position;
    return response;
  };
  /** The answers a client sees; every read below must keep returning exactly these. */
  const observe = async () => {
    const get = async (url: string) => {
      const response = await api.call('GET', url, { token: viewer.token });
      expect(response.status, `${url}: ${JSON.stringify(response.body)}`).toBe(200);
      return response.body;
    };
    const [feed, followers, tagged, tray, profile] = await Promise.all([
      get('/api/v1/feed/home?limit=100'),
      get(`/api/v1/users/${authors[0]!.username}/followers?limit=100`),
      get('/api/v1/hashtags/replay/posts?limit=100'),
      get('/api/v1/stories/feed'),
      get(`/api/v1/users/${authors[1]!.username}`),
    ]);
    return { feed, followers, tagged, tray, profile };
  };

  beforeAll(async () => {
    t = await startTestApp({ redis: true, elasticsearch: true });
    api = apiClient(t.app);
    viewer = await api.register('viewer');
    authors = [];
    for (let i = 0; i < 5; i++) authors.push(await api.register(`author${i}`));
    for (const author of authors) track(await api.call('POST', `/api/v1/users/${author.username}/follow`, { token: viewer.token }));
    for (let round = 0; round < 6; round++) {
      for (const author of authors) {
        const postId = await api.createPost(author, `round ${round} by ${author.username} #replay #r${round}`);
        track(await api.call('POST', `/api/v1/posts/${postId}/like`, { token: viewer.token }));
        track(await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: viewer.token, body: { text: `nice @${author.username}` } }));
      }
    }
    track(await api.call('POST', '/api/v1/stories', { token: authors[2]!.token, body: { media: { url: 'https://cdn.example.com/s.jpg', type: 'image' } } }));
    // Every projection has caught up with the seed.
    const caughtUp = await api.call('GET', `/api/v1/feed/home?minPosition=${encodeURIComponent(last)}`, { token: viewer.token });
    expect(caughtUp.headers['x-stale-projections']).toBeUndefined();
    await t.platform.readModels.refresh();
    for (const { name } of t.platform.readModels.projections()) await waitCaughtUp(name);
    // A projection publishes a batch's pushes after committing it (and its checkpoint), so
    // "caught up" can come a moment before the last live push goes out. One more event that
    // pushes nothing (a read mark), applied by every projection, means every earlier batch has
    // finished, pushes included: nothing live can reach the subscriptions the test makes next.
    track(await api.call('POST', '/api/v1/notifications/read', { token: viewer.token, body: {} }));
    for (const { name } of t.platform.readModels.projections()) await waitCaughtUp(name);
  });
  afterAll(() => t?.close());

  // Fails rather than going on: a projection still catching up when the rebuild starts would
  // push its live notifications into the "a rebuild pushes nothing" check (a loaded machine can
  // take many seconds).
  const waitCaughtUp = async (name: string) => {
    const projection = t.platform.readModels.projections().find((p) => p.name === name)!;
    for (let i = 0; i < 1200 && (await projection.checkpoint(name)) < last; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await projection.checkpoint(name)) >= last, `${name} caught up with the seed`).toBe(true);
  };

  it('rebuilds every projection into a new generation while the API keeps answering the same, then switches', async () => {
    const before = await observe();
    expect(before.feed.items).toHaveLength(30);
    expect(before.tagged.items).toHaveLength(30);
    // Side effects are not sent again: nobody's stream hears of the replayed posts and likes.
    const pushed: unknown[] = [];
    const unsubscribe = await Promise.all([viewer, ...authors].map((user) => t.platform.push.subscribe(user.userId, (message) => pushed.push(message))));
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        expect(await observe()).toEqual(before); // never empty, never a mix of generations
        reads++;
      }
    })();
    const run = await runReplay(t, ['rebuild', 'all', '--batch-size', '20', '--handover-ms', '300', '--json']);
    reading = false;
    await reader;
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(reads).toBeGreaterThan(0);
    for (const stop of unsubscribe) stop();
    expect(pushed, JSON.stringify(pushed)).toEqual([]);
    const result = run.records.at(-1)!;
    const names = t.platform.readModels.projections().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['profiles', 'feed', 'stories', 'search']));
    expect(result).toMatchObject({ type: 'result', ok: true, switched: names });
    expect(run.records.some((r) => r.type === 'progress' && (r.events as number) > 0)).toBe(true);

    await t.platform.readModels.refresh();
    expect(t.platform.readModels.generations()).toEqual(Object.fromEntries(names.map((name) => [name, 2])));
    expect(await observe()).toEqual(before);
    // The new generation is the one that keeps up: a new post shows in it.
    const fresh = await api.createPost(authors[3]!, 'after the switch #replay');
    for (let i = 0; i < 100; i++) {
      const feed = await api.call('GET', '/api/v1/feed/home?limit=1', { token: viewer.token });
      if (feed.body.items[0]?.id === fresh) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await api.call('GET', '/api/v1/feed/home?limit=1', { token: viewer.token })).body.items[0].id).toBe(fresh);
  });

  it('status shows the live generations and the retired ones; drop-old removes the retired storage', async () => {
    const shown = await runReplay(t, ['status', '--sample-ms', '0', '--json']);
    expect(shown.code).toBe(0);
    const rows = shown.records.at(-1)!.projections as { projection: string; live: number; others: { generation: number; state: string }[] }[];
    expect(rows.map((r) => [r.projection, r.live])).toEqual(rows.map((r) => [r.projection, 2]));
    expect(rows).toHaveLength(t.platform.readModels.projections().length);
    expect(rows.every((r) => r.others.some((o) => o.generation === 1 && o.state === 'retired'))).toBe(true);

    const kept = await runReplay(t, ['drop-old', '--json']); // retired just now: within the default grace
    expect(kept.records.at(-1)).toMatchObject({ dropped: [] });
    const dropped = await runReplay(t, ['drop-old', '--grace', '0', '--json']);
    expect(dropped.code).toBe(0);
    expect((dropped.records.at(-1)!.dropped as unknown[]).length).toBe(rows.length);
    expect(await t.redis!.client.keys(`${t.redis!.prefix}feed:*`)).toEqual([]); // generation 1's feeds
    expect(await t.redis!.client.keys(`${t.redis!.prefix}g2.feed:feed:*`)).not.toEqual([]);
    const { rows: tables } = await t.db.pool.query("select 1 from pg_tables where schemaname = current_schema() and tablename = 'users'");
    expect(tables).toEqual([]);
    expect(await observe()).toMatchObject({ feed: { items: expect.arrayContaining([expect.anything()]) } });
  });

  it('an interrupted rebuild, resumed, matches an uninterrupted one', async () => {
    const stop = new AbortController();
    const interrupted = await runReplay(t, ['rebuild', 'profiles', 'search', '--batch-size', '10', '--json'], {
      signal: stop.signal,
      onOutput: (text) => {
        if (text.includes('"type":"progress"') && !text.includes('"events":0,')) stop.abort(); // Ctrl-C mid-rebuild
      },
    });
    expect(interrupted.code, interrupted.stdout).toBe(130);
    expect(interrupted.records.at(-1)).toMatchObject({ interrupted: true });
    const building = (await listGenerations(t.db.pool)).filter((g) => g.state === 'building');
    expect(building.map((g) => [g.projection, g.generation])).toEqual([
      ['profiles', 3],
      ['search', 3],
    ]);
    // A second rebuild of the same projections is refused while this one is unfinished.
    expect((await runReplay(t, ['rebuild', 'profiles', '--json'])).code).toBe(4);

    const resumed = await runReplay(t, ['resume', '--handover-ms', '0', '--json']);
    expect(resumed.code, resumed.stdout).toBe(0);
    await t.platform.readModels.refresh();
    expect(t.platform.readModels.generations()).toMatchObject({ profiles: 3, search: 3 });
    // verify rebuilds each from the log in one go and compares entry by entry.
    for (const name of ['profiles', 'search']) {
      const verified = await runReplay(t, ['verify', name, '--json']);
      expect(verified.code, verified.stdout).toBe(0);
      expect(verified.records.at(-1)).toMatchObject({ ok: true, differences: 0 });
    }
  });

  it('verify reports a difference planted in the live generation', async () => {
    await t.platform.readModels.refresh();
    const feedGeneration = t.platform.readModels.generations().feed!;
    const profilesGeneration = t.platform.readModels.generations().profiles!;
    // Plant: a post gone from the viewer's live feed, and a bio nobody wrote.
    const victim = (await observe()).feed.items[0].id as string;
    await t.redis!.client.zrem(`${t.redis!.prefix}g${feedGeneration}.feed:feed:{${viewer.userId}}`, victim);
    const schema = `${t.db.schema}_g${profilesGeneration}_profiles`;
    await t.db.pool.query(`update ${schema}.users set bio = 'planted' where id = $1`, [authors[4]!.userId]);

    const feed = await runReplay(t, ['verify', 'feed', '--json', '--rounds', '1']);
    expect(feed.code).toBe(3);
    expect(feed.records.at(-1)).toMatchObject({ ok: false, differences: 1 });
    expect(JSON.stringify(feed.records.at(-1)!.shown)).toContain(victim);
    const profiles = await runReplay(t, ['verify', 'profiles', '--rounds', '1']);
    expect(profiles.code).toBe(3);
    expect(profiles.stdout).toContain('planted');
    expect(profiles.stdout).toContain(authors[4]!.userId);
    // Scratch generations are dropped after verifying.
    expect((await listGenerations(t.db.pool)).filter((g) => g.state === 'scratch')).toEqual([]);
  });

  it('rebuild --no-switch leaves reads where they are until resume --switch; --from re-applies the log into the live generation', async () => {
    await t.platform.readModels.refresh();
    const before = t.platform.readModels.generations().stories!;
    const built = await runReplay(t, ['rebuild', 'stories', '--no-switch', '--json']);
    expect(built.code, built.stdout).toBe(0);
    expect(built.records.at(-1)).toMatchObject({ ok: true, switched: [] });
    await t.platform.readModels.refresh();
    expect(t.platform.readModels.generations().stories).toBe(before);
    const switched = await runReplay(t, ['resume', '--switch', '--handover-ms', '0', '--json']);
    expect(switched.records.at(-1)).toMatchObject({ ok: true, switched: ['stories'] });
    await t.platform.readModels.refresh();
    expect(t.platform.readModels.generations().stories).toBe(before + 1);

    // A feed entry lost from the live store comes back when the log is re-applied from before its post.
    const earlier = track(await api.call('POST', `/api/v1/users/${authors[0]!.username}/follow`, { token: authors[1]!.token })).body.position as string;
    const postId = await api.createPost(authors[0]!, 'lost and found');
    await waitCaughtUp('profiles');
    const feedKey = `${t.redis!.prefix}g${t.platform.readModels.generations().feed}.feed:feed:{${authors[1]!.userId}}`;
    for (let i = 0; i < 100 && (await t.redis!.client.zscore(feedKey, postId)) === null; i++) await new Promise((r) => setTimeout(r, 50));
    // (The difference planted by the test before, in an older post, stays: count this one only.)
    const differences = async () => (await runReplay(t, ['verify', 'feed', '--rounds', '1', '--json'])).records.at(-1)!.differences as number;
    const planted = await differences();
    await t.redis!.client.zrem(feedKey, postId);
    expect(await differences()).toBe(planted + 1);
    const replayed = await runReplay(t, ['rebuild', 'feed', '--from', earlier, '--json']);
    expect(replayed.code, replayed.stdout).toBe(0);
    expect(await t.redis!.client.zscore(feedKey, postId)).not.toBeNull();
    expect(await differences()).toBe(planted);
    expect((await runReplay(t, ['rebuild', 'feed', '--from', 'yesterday'])).code).toBe(2);
  });
});
