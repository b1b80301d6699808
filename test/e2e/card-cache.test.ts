import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { eventually } from '../support/kafka.js';
import { CLUSTER_SKIP_REASON, isRedisClusterReachable, isRedisReachable } from '../support/test-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The post page and the profile page through the platform's card cache (read-api/card-cache.ts),
// on each card bus: LISTEN/NOTIFY (REDIS_URL unset) and Redis pub/sub. A page read once is cached;
// a change made afterwards reaches the next plain read once the projector's invalidation is
// delivered, and at once for a read with ?minPosition= (read-your-writes reads through).
// On a Redis Cluster the bus subscribes on one node (plain PUBLISH reaches them all).
const singleUp = await isRedisReachable();
const clusterUp = await isRedisClusterReachable();

describe.each([
  { bus: 'postgres', redis: false, cluster: false },
  { bus: 'redis', redis: true, cluster: false },
  { bus: `redis-cluster${clusterUp ? '' : ` (${CLUSTER_SKIP_REASON})`}`, redis: false, cluster: true },
])('card cache over the $bus bus', ({ redis: single, cluster }) => {
  const redis = single || cluster;
  const redisUp = cluster ? clusterUp : singleUp;
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    if (redis && !redisUp) return;
    t = await startTestApp({ redis: single, redisCluster: cluster });
    api = apiClient(t.app);
    await eventually('the card bus subscribed', async () => t.platform.reads.cards.live, 10_000);
  });
  afterAll(() => t?.close());

  const get = (who: User, url: string, position?: string) =>
    api.call('GET', position ? `${url}?minPosition=${encodeURIComponent(position)}` : url, { token: who.token });

  // Rule: a cached post page and profile follow the changes that touch them (likes, privacy,
  // follows, blocks), by invalidation without minPosition and at once with it.
  it.skipIf(redis && !redisUp)('serves cached pages, and the changes made after they were cached', async () => {
    const [author, fan] = [await api.register(), await api.register()];
    const created = await api.call('POST', '/api/v1/posts', {
      token: author.token,
      body: { caption: 'cached #cards', media: [{ url: 'https://cdn.example.com/c.jpg', type: 'image' }] },
    });
    const { postId, position } = created.body as { postId: string; position: string };
    const page = await get(fan, `/api/v1/posts/${postId}`, position);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^application\/json/);
    expect(page.body).toMatchObject({ id: postId, likeCount: 0, likedByMe: false, bookmarkedByMe: false, author: { id: author.userId, username: author.username } });
    expect(page.body.author.private).toBeUndefined();
    expect((await get(fan, `/api/v1/posts/${postId}`)).body).toEqual(page.body);

    // A like, then a plain read: the invalidation reaches the cached card.
    await api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token });
    // likeCount is the profiles projection's, likedByMe the feed's: each arrives on its own.
    await eventually('the like on the cached post page', async () => {
      const { likeCount, likedByMe } = (await get(fan, `/api/v1/posts/${postId}`)).body;
      return likeCount === 1 && likedByMe === true;
    }, 10_000);

    // The profile, then the author goes private: read through at once with the command's position.
    const profile = await get(fan, `/api/v1/users/${author.username}`);
    expect(profile.body).toMatchObject({ id: author.userId, private: false, postCount: 1, relationship: { following: false, requested: false, followedBy: false } });
    const privacy = await api.call('PUT', `/api/v1/users/${author.username}`, { token: author.token, body: { private: true } });
    expect((await get(fan, `/api/v1/users/${author.username}`, privacy.body.position)).body.private).toBe(true);
    expect((await get(fan, `/api/v1/users/${author.username}`)).body.private).toBe(true);
    expect((await get(fan, `/api/v1/posts/${postId}`, privacy.body.position)).status).toBe(403);

    // A follow request, approved: the pair facts follow, and the post shows again.
    const requested = await api.call('POST', `/api/v1/users/${author.username}/follow`, { token: fan.token });
    expect((await get(fan, `/api/v1/users/${author.username}`, requested.body.position)).body.relationship).toEqual({ following: false, requested: true, followedBy: false, muting: false });
    const approved = await api.call('POST', `/api/v1/follow-requests/${fan.username}/approve`, { token: author.token });
    expect(approved.status).toBe(200);
    await eventually('the approved follow on the cached pages', async () => (await get(fan, `/api/v1/posts/${postId}`)).status === 200, 10_000);
    expect((await get(fan, `/api/v1/users/${author.username}`)).body).toMatchObject({ followerCount: 1, relationship: { following: true, requested: false } });

    // A block: the post and the profile read as unknown.
    const blocked = await api.call('POST', `/api/v1/users/${fan.username}/block`, { token: author.token });
    expect(blocked.status).toBe(200);
    await eventually('the block on the cached post page', async () => (await get(fan, `/api/v1/posts/${postId}`)).status === 404, 10_000);
    expect((await get(fan, `/api/v1/users/${author.username}`)).status).toBe(404);
  });
});
