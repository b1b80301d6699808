import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { CLUSTER_SKIP_REASON, isRedisClusterReachable, isRedisReachable } from '../support/test-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// The read side end to end, through the real projections, on each feed/stories backend: the
// PostgreSQL stores (REDIS_URL unset), the Redis stores, and the Redis stores on a Redis Cluster
// (REDIS_CLUSTER_NODES: 3 primaries, 3 replicas, which npm run services:up starts).
const singleUp = await isRedisReachable();
const clusterUp = await isRedisClusterReachable();
const STORY_TTL_MS = 1_500;
const CELEBRITY_THRESHOLD = 3;

describe.each([
  { backend: 'postgres', redis: false, cluster: false },
  { backend: 'redis', redis: true, cluster: false },
  { backend: `redis-cluster${clusterUp ? '' : ` (${CLUSTER_SKIP_REASON})`}`, redis: false, cluster: true },
])('read side on $backend', ({ redis: single, cluster }) => {
  // "redis": the Redis stores, on a single server or on the cluster; unavailable ones skip.
  const redis = single || cluster;
  const redisUp = cluster ? clusterUp : single ? singleUp : true;
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    if (redis && !redisUp) return;
    t = await startTestApp({ storyTtlMs: STORY_TTL_MS, redis: single, redisCluster: cluster, celebrityThreshold: CELEBRITY_THRESHOLD });
    api = apiClient(t.app);
  });
  afterAll(() => t?.close());

  /** GET as `who`, waiting for the projections to reach `position` (read-your-writes). */
  const get = async (who: User, url: string, position?: string) => {
    const separator = url.includes('?') ? '&' : '?';
    const response = await api.call('GET', position ? `${url}${separator}minPosition=${encodeURIComponent(position)}` : url, { token: who.token });
    expect(response.headers['x-stale-projections'], `stale read of ${url}`).toBeUndefined();
    return response;
  };
  const follow = async (who: User, whom: User) =>
    (await api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token })).body.position as string;
  const post = async (who: User, caption: string) => {
    const response = await api.call('POST', '/api/v1/posts', {
      token: who.token,
      body: { caption, media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] },
    });
    return response.body as { postId: string; position: string };
  };
  const homeIds = async (who: User, position: string) =>
    ((await get(who, '/api/v1/feed/home', position)).body.items as { id: string }[]).map((p) => p.id);

  it.skipIf(redis && !redisUp)('register, follow, post: the post is in the follower\'s home feed, hydrated', async () => {
    const [alice, bob] = [await api.register(), await api.register()];
    await follow(bob, alice);
    const { postId, position } = await post(alice, 'hello #world');
    const like = await api.call('POST', `/api/v1/posts/${postId}/like`, { token: bob.token });
    const feed = await get(bob, '/api/v1/feed/home', like.body.position);
    expect(feed.status).toBe(200);
    expect(feed.body.items).toHaveLength(1);
    expect(feed.body.items[0]).toMatchObject({
      id: postId,
      author: { id: alice.userId, username: alice.username },
      caption: 'hello #world',
      likeCount: 1,
      commentCount: 0,
      likedByMe: true,
      bookmarkedByMe: false,
    });
    expect(await homeIds(alice, position)).toEqual([postId]); // the author sees their own post
    const profile = await get(bob, `/api/v1/users/${alice.username}`, position);
    expect(profile.body).toMatchObject({ postCount: 1, followerCount: 1, relationship: { following: true } });
  });

  it.skipIf(redis && !redisUp)("a celebrity's post reaches followers through the pull path, newest first with pushed posts", async () => {
    const celebrity = await api.register();
    const fans = [await api.register(), await api.register(), await api.register(), await api.register()];
    const friend = await api.register();
    for (const fan of fans) await follow(fan, celebrity);
    await follow(fans[0]!, friend);
    const older = await post(friend, 'pushed');
    const newer = await post(celebrity, 'pulled');
    expect(await homeIds(fans[0]!, newer.position)).toEqual([newer.postId, older.postId]);
    expect(await homeIds(fans[3]!, newer.position)).toEqual([newer.postId]);
  });

  it.skipIf(redis && !redisUp)('unfollow removes the followee\'s posts; a deleted post is never served', async () => {
    const [author, reader, other] = [await api.register(), await api.register(), await api.register()];
    await follow(reader, author);
    await follow(reader, other);
    const kept = await post(other, 'kept');
    const gone = await post(author, 'gone');
    expect(await homeIds(reader, gone.position)).toEqual([gone.postId, kept.postId]);
    const unfollowed = await api.call('DELETE', `/api/v1/users/${author.username}/follow`, { token: reader.token });
    expect(await homeIds(reader, unfollowed.body.position)).toEqual([kept.postId]);
    const deleted = await api.call('DELETE', `/api/v1/posts/${kept.postId}`, { token: other.token });
    expect(await homeIds(reader, deleted.body.position)).toEqual([]);
    expect((await get(reader, `/api/v1/posts/${kept.postId}`, deleted.body.position)).status).toBe(404);
  });

  it.skipIf(redis && !redisUp)('a block hides each one from the other, both ways', async () => {
    const [a, b] = [await api.register(), await api.register()];
    await follow(a, b);
    await follow(b, a);
    const fromA = await post(a, 'by a');
    const fromB = await post(b, 'by b');
    expect(await homeIds(a, fromB.position)).toContain(fromB.postId);
    const blocked = await api.call('POST', `/api/v1/users/${b.username}/block`, { token: a.token });
    const position = blocked.body.position;
    expect(await homeIds(a, position)).not.toContain(fromB.postId);
    expect(await homeIds(b, position)).not.toContain(fromA.postId);
    expect((await get(b, `/api/v1/users/${a.username}`, position)).status).toBe(404);
    expect((await get(a, `/api/v1/users/${b.username}`, position)).status).toBe(404);
    expect((await get(b, `/api/v1/posts/${fromA.postId}`, position)).status).toBe(404);
    expect((await get(b, `/api/v1/feed/user/${a.username}`, position)).status).toBe(404);
  });

  it.skipIf(redis && !redisUp)("a private account's posts are invisible to non-followers, visible once approved", async () => {
    const [owner, stranger] = [await api.register(), await api.register()];
    await api.call('PUT', `/api/v1/users/${owner.username}`, { token: owner.token, body: { private: true } });
    const { postId, position } = await post(owner, 'secret');
    const profile = await get(stranger, `/api/v1/users/${owner.username}`, position);
    expect(profile.status).toBe(200);
    expect(profile.body.private).toBe(true);
    for (const url of [`/api/v1/posts/${postId}`, `/api/v1/feed/user/${owner.username}`, `/api/v1/users/${owner.username}/followers`]) {
      const response = await get(stranger, url, position);
      expect(response.status, url).toBe(403);
      expect(response.body.error.code).toBe('PRIVATE_ACCOUNT');
    }
    const requested = await follow(stranger, owner);
    const requests = await get(owner, '/api/v1/follow-requests', requested);
    expect(requests.body.items.map((u: { id: string }) => u.id)).toContain(stranger.userId);
    const approved = await api.call('POST', `/api/v1/follow-requests/${stranger.username}/approve`, { token: owner.token });
    expect((await get(stranger, `/api/v1/posts/${postId}`, approved.body.position)).status).toBe(200);
    expect(await homeIds(stranger, approved.body.position)).toEqual([postId]); // backfilled on follow
  });

  it.skipIf(redis && !redisUp)('threads comments, lists likes and bookmarks', async () => {
    const [author, fan] = [await api.register(), await api.register()];
    const { postId } = await post(author, 'talk to me');
    const top = await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: fan.token, body: { text: 'first' } });
    const reply = await api.call('POST', `/api/v1/posts/${postId}/comments`, {
      token: author.token,
      body: { text: 'thanks', parentCommentId: top.body.commentId },
    });
    await api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token });
    const bookmarked = await api.call('POST', `/api/v1/posts/${postId}/bookmark`, { token: fan.token });
    const position = bookmarked.body.position;
    const comments = await get(fan, `/api/v1/posts/${postId}/comments`, position);
    expect(comments.body.items).toEqual([expect.objectContaining({ id: top.body.commentId, replyCount: 1, parentId: null })]);
    const replies = await get(fan, `/api/v1/posts/${postId}/comments?parentId=${top.body.commentId}`, reply.body.position);
    expect(replies.body.items.map((c: { id: string }) => c.id)).toEqual([reply.body.commentId]);
    const likes = await get(author, `/api/v1/posts/${postId}/likes`, position);
    expect(likes.body.items.map((u: { id: string }) => u.id)).toEqual([fan.userId]);
    const bookmarks = await get(fan, '/api/v1/bookmarks', position);
    expect(bookmarks.body.items.map((p: { id: string }) => p.id)).toEqual([postId]);
    const single = await get(fan, `/api/v1/posts/${postId}`, position);
    expect(single.body).toMatchObject({ commentCount: 2, likeCount: 1, bookmarkedByMe: true });
  });

  it.skipIf(redis && !redisUp)('stories: the tray shows unseen first, the author sees viewers, and a story disappears when its TTL passes', async () => {
    const [author, other, viewer] = [await api.register(), await api.register(), await api.register()];
    await follow(viewer, author);
    await follow(viewer, other);
    const media = { url: 'https://cdn.example.com/s.jpg', type: 'image' };
    const first = await api.call('POST', '/api/v1/stories', { token: other.token, body: { media } });
    const story = await api.call('POST', '/api/v1/stories', { token: author.token, body: { media } });
    const viewed = await api.call('POST', `/api/v1/stories/${first.body.storyId}/view`, { token: viewer.token });
    const tray = await get(viewer, '/api/v1/stories/feed', viewed.body.position);
    expect(tray.body.items.map((e: { author: { id: string }; hasUnseen: boolean }) => [e.author.id, e.hasUnseen])).toEqual([
      [author.userId, true],
      [other.userId, false],
    ]);
    const seenOwn = await api.call('POST', `/api/v1/stories/${story.body.storyId}/view`, { token: viewer.token });
    const viewers = await get(author, `/api/v1/stories/${story.body.storyId}/viewers`, seenOwn.body.position);
    expect(viewers.body.items.map((v: { user: { id: string } }) => v.user.id)).toEqual([viewer.userId]);
    expect((await get(viewer, `/api/v1/stories/${story.body.storyId}/viewers`)).status).toBe(403);
    // A block either way hides the viewer from the author's list too (the view itself stays recorded).
    expect((await get(other, `/api/v1/stories/${first.body.storyId}/viewers`)).body.items).toHaveLength(1);
    const blocked = await api.call('POST', `/api/v1/users/${viewer.username}/block`, { token: other.token });
    const afterBlock = await get(other, `/api/v1/stories/${first.body.storyId}/viewers`, blocked.body.position);
    expect([blocked.status, afterBlock.status, afterBlock.body]).toEqual([200, 200, { items: [], nextCursor: null }]);

    await new Promise((resolve) => setTimeout(resolve, STORY_TTL_MS + 200));
    const later = await get(viewer, `/api/v1/users/${author.username}/stories`);
    expect(later.body.items).toEqual([]);
    expect((await get(viewer, '/api/v1/stories/feed')).body.items).toEqual([]);
  });
});
