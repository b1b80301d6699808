import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { isRedisReachable } from '../support/test-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// GET /feed/home?order=ranked end to end (docs/architecture.md "Ranked home feed"), on each feed
// backend (its pinned orders then in PostgreSQL, or in Redis): the viewer's affinity and a post's
// engagement move it up; a session's order is pinned, so pages neither repeat nor skip while
// likes arrive, and drop what was deleted since; bad order values and cursors are refused.
const redisUp = await isRedisReachable();

describe.each([
  { backend: 'postgres', redis: false },
  { backend: 'redis', redis: true },
])('ranked home feed on $backend', ({ redis }) => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    if (redis && !redisUp) return;
    t = await startTestApp({ redis });
    api = apiClient(t.app);
  });
  afterAll(() => t?.close());

  const fresh = (url: string, position: string) => `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}`;
  const page = async (who: User, url: string, position: string) => {
    const response = await api.call('GET', fresh(url, position), { token: who.token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers['x-stale-projections']).toBeUndefined();
    return response.body as { items: { id: string; likeCount: number; likedByMe: boolean }[]; nextCursor: string | null };
  };
  const ids = async (who: User, url: string, position: string) => (await page(who, url, position)).items.map((item) => item.id);
  const follow = async (who: User, whom: User) => (await api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token })).body.position as string;
  const post = async (who: User, caption: string) => {
    const response = await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption, media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] } });
    return response.body.postId as string;
  };
  const like = async (who: User, postId: string) => (await api.call('POST', `/api/v1/posts/${postId}/like`, { token: who.token })).body.position as string;

  it.skipIf(redis && !redisUp)('a post liked more, by an author the viewer interacts with, comes first ranked and not chronologically', async () => {
    const [viewer, close, stranger, fan1, fan2] = await Promise.all([api.register(), api.register(), api.register(), api.register(), api.register()]);
    await follow(viewer, close);
    await follow(viewer, stranger);
    const older = await post(close, 'an older post the viewer likes');
    const liked = await post(close, 'liked by others');
    const newest = await post(stranger, 'the newest post');
    await like(viewer, older);
    await like(fan1, liked);
    await like(fan2, liked);
    const position = await like(fan1, newest);
    expect(await ids(viewer, '/api/v1/feed/home', position)).toEqual([newest, liked, older]);
    expect(await ids(viewer, '/api/v1/feed/home?order=chronological', position)).toEqual([newest, liked, older]);
    // liked: 2 likes + recency 10 + affinity ~1 x 5 = 17; older: 1 + 10 + 5 = 16; newest: 1 + 10 = 11
    // (without the affinity, the newest would beat the older, with the same likes).
    const ranked = await page(viewer, '/api/v1/feed/home?order=ranked', position);
    expect(ranked.items.map((item) => item.id)).toEqual([liked, older, newest]);
    expect(ranked.items.map((item) => [item.likeCount, item.likedByMe])).toEqual([[2, false], [1, true], [1, false]]);
    expect(ranked.nextCursor).toBeNull();
  });

  it.skipIf(redis && !redisUp)('pages of a session neither repeat nor skip when likes arrive between them, and drop what was deleted since', async () => {
    const [viewer, author, fan1, fan2] = await Promise.all([api.register(), api.register(), api.register(), api.register()]);
    await follow(viewer, author);
    const posts: string[] = [];
    for (let i = 0; i < 5; i++) posts.push(await post(author, `post ${i}`));
    const position = await follow(fan1, author);
    // No engagement, all under an hour old: ties, newest first.
    const first = await page(viewer, '/api/v1/feed/home?order=ranked&limit=2', position);
    expect(first.items.map((item) => item.id)).toEqual([posts[4], posts[3]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    // The oldest post gets liked, which would now rank it first; and one post of the next page is deleted.
    await like(fan1, posts[0]!);
    await like(fan2, posts[0]!);
    const deleted = await api.call('DELETE', `/api/v1/posts/${posts[2]}`, { token: author.token });
    expect(deleted.status).toBeLessThan(300);
    const after = deleted.body.position as string;
    const second = await page(viewer, `/api/v1/feed/home?order=ranked&limit=2&cursor=${first.nextCursor}`, after);
    expect(second.items.map((item) => item.id)).toEqual([posts[1], posts[0]]);
    expect(second.items[1]!.likeCount).toBe(2);
    expect(second.nextCursor).toBeNull();
    // A new session ranks again.
    expect(await ids(viewer, '/api/v1/feed/home?order=ranked&limit=2', after)).toEqual([posts[0], posts[4]]);
  });

  it.skipIf(redis && !redisUp)('a later page drops the posts of an author who blocked the viewer or went private since the pin', async () => {
    const [viewer, blocker, hider, friend] = await Promise.all([api.register(), api.register(), api.register(), api.register()]);
    for (const whom of [blocker, hider, friend]) await follow(viewer, whom);
    const friendPost = await post(friend, 'stays');
    const blocked = await post(blocker, 'blocked later');
    const hidden = await post(hider, 'private later');
    const position = await like(friend, friendPost);
    const first = await page(viewer, '/api/v1/feed/home?order=ranked&limit=1', position);
    // friendPost: 1 like + 10; the others 10 each.
    expect(first.items.map((item) => item.id)).toEqual([friendPost]);
    const block = await api.call('POST', `/api/v1/users/${viewer.username}/block`, { token: blocker.token });
    expect(block.status).toBeLessThan(300);
    // The viewer unfollows, then the author goes private: the pinned post is no longer the viewer's to see.
    expect((await api.call('DELETE', `/api/v1/users/${hider.username}/follow`, { token: viewer.token })).status).toBeLessThan(300);
    const privacy = await api.call('PUT', `/api/v1/users/${hider.username}`, { token: hider.token, body: { private: true } });
    expect(privacy.status).toBeLessThan(300);
    const after = privacy.body.position as string;
    const rest = await page(viewer, `/api/v1/feed/home?order=ranked&limit=5&cursor=${first.nextCursor}`, after);
    expect(rest.items.map((item) => item.id)).not.toContain(blocked);
    expect(rest.items.map((item) => item.id)).not.toContain(hidden);
    expect(rest.nextCursor).toBeNull();
  });

  it.skipIf(redis && !redisUp)("refuses a bad order, a forged cursor, a chronological cursor, and another viewer's session", async () => {
    const [viewer, other, author] = await Promise.all([api.register(), api.register(), api.register()]);
    await follow(viewer, author);
    for (let i = 0; i < 3; i++) await post(author, `p${i}`);
    const position = await follow(other, author);
    const bad = await api.call('GET', '/api/v1/feed/home?order=best', { token: viewer.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('order');
    const ranked = await page(viewer, '/api/v1/feed/home?order=ranked&limit=1', position);
    const chronological = await page(viewer, '/api/v1/feed/home?limit=1', position);
    const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const refused = [
      ['viewer', `order=ranked&cursor=${chronological.nextCursor}`],
      ['viewer', `cursor=${ranked.nextCursor}`],
      ['viewer', `order=ranked&cursor=${cursorOf(['0190a0a0-0000-7000-8000-000000000000', 1])}`],
      ['viewer', `order=ranked&cursor=${cursorOf(['not-a-session', 1])}`],
      ['viewer', `order=ranked&cursor=${cursorOf([JSON.parse(Buffer.from(ranked.nextCursor!, 'base64url').toString())[0], 100_000])}`],
      ['other', `order=ranked&cursor=${ranked.nextCursor}`],
    ] as const;
    for (const [who, query] of refused) {
      const response = await api.call('GET', `/api/v1/feed/home?${query}`, { token: (who === 'viewer' ? viewer : other).token });
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('INVALID_CURSOR');
    }
    // The session itself still pages for its viewer.
    expect((await page(viewer, `/api/v1/feed/home?order=ranked&limit=1&cursor=${ranked.nextCursor}`, position)).items).toHaveLength(1);
  });
});
