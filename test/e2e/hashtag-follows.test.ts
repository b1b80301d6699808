import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { eventually } from '../support/kafka.js';
import { isRedisReachable } from '../support/test-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Hashtag follows end to end (docs/rules.md "Hashtag follows"), on each feed backend: a followed
// tag's posts from public accounts join the follower's home feed marked `via`, a private
// account's do not show, a followed author's or one's own carry no `via`; a follow backfills the
// tag's recent posts; an unfollow removes only what the tag alone brought; mutes and blocks
// still hide; the ranked feed holds them too; bad input is a 4xx that appends nothing.
const redisUp = await isRedisReachable();
const media = { url: 'https://cdn.example.com/m.jpg', type: 'image' };

interface Item {
  id: string;
  via?: { hashtag: string };
}

describe.each([
  { backend: 'postgres', redis: false },
  { backend: 'redis', redis: true },
])('hashtag follows on $backend', ({ redis }) => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    if (redis && !redisUp) return;
    t = await startTestApp({ redis });
    api = apiClient(t.app);
    await eventually('the card bus subscribed', async () => t.platform.reads.cards.live, 10_000);
  });
  afterAll(() => t?.close());

  const get = (who: User, url: string, position?: string) =>
    api.call('GET', position ? `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}` : url, { token: who.token });
  /** The home feed as [post id, via tag or null]. */
  const home = async (who: User, position: string, order = '') =>
    ((await get(who, `/api/v1/feed/home${order}`, position)).body.items as Item[]).map((item) => [item.id, item.via?.hashtag ?? null] as const);
  const post = async (who: User, caption: string) =>
    (await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption, media: [media] } })).body as { postId: string; position: string };
  const followTag = (who: User, tag: string, method: 'POST' | 'DELETE' = 'POST') => api.call(method, `/api/v1/hashtags/${encodeURIComponent(tag)}/follow`, { token: who.token });
  const follow = (who: User, whom: User) => api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token });
  const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);

  it.skipIf(redis && !redisUp)('brings a stranger’s public tagged post in marked via, not a private account’s; a followed author’s and one’s own show no via; unfollow removes only what the tag alone brought', async () => {
    const tag = `cats${redis ? 'r' : 'p'}`;
    const [viewer, stranger, hidden, friend] = [await api.register(), await api.register(), await api.register(), await api.register()];
    await api.call('PUT', `/api/v1/users/${hidden.username}`, { token: hidden.token, body: { private: true } });
    await follow(viewer, friend);
    // Before the follow: the backfill brings it in.
    const early = await post(stranger, `an early one #${tag}`);

    const followed = await followTag(viewer, `#${tag.toUpperCase()}`);
    expect(followed.status).toBe(200);
    expect(followed.body).toEqual({ tag, following: true, position: expect.any(String) });
    expect(await home(viewer, followed.body.position)).toEqual([[early.postId, tag]]);
    expect((await get(viewer, `/api/v1/hashtags/${tag}`, followed.body.position)).body).toEqual({ tag, following: true });
    expect((await get(stranger, `/api/v1/hashtags/${tag}`, followed.body.position)).body).toEqual({ tag, following: false });
    expect((await get(viewer, '/api/v1/users/me/hashtags', followed.body.position)).body).toEqual({ items: [{ tag, followedAt: expect.any(String) }] });

    const fromStranger = await post(stranger, `sunny #${tag}`);
    await post(hidden, `private #${tag}`);
    const fromFriend = await post(friend, `my cat #${tag}`);
    const own = await post(viewer, `mine #${tag}`);
    const untagged = await post(stranger, 'no tag here');
    const both = await post(stranger, `two tags #${tag} #dogs${tag}`);
    await followTag(viewer, `dogs${tag}`);
    const last = await post(stranger, 'last');
    const at = last.position;
    expect(await home(viewer, at)).toEqual([
      [both.postId, tag],
      [own.postId, null],
      [fromFriend.postId, null],
      [fromStranger.postId, tag],
      [early.postId, tag],
    ]);
    expect(untagged.postId).toBeDefined();
    // The ranked feed holds the same posts, with the same marks.
    expect([...(await home(viewer, at, '?order=ranked'))].sort()).toEqual(
      [
        [both.postId, tag],
        [own.postId, null],
        [fromFriend.postId, null],
        [fromStranger.postId, tag],
        [early.postId, tag],
      ].sort(),
    );

    // Intents: a second follow appends nothing.
    await followTag(viewer, tag);
    expect(await typesOf(`hashtagfollow-${viewer.userId}-${tag}`)).toEqual(['HashtagFollowed']);

    const unfollowed = await followTag(viewer, tag, 'DELETE');
    expect(unfollowed.body).toEqual({ tag, following: false, position: expect.any(String) });
    // Left: the viewer's own, the followed author's, and the one another followed tag brought.
    expect(await home(viewer, unfollowed.body.position)).toEqual([
      [both.postId, `dogs${tag}`],
      [own.postId, null],
      [fromFriend.postId, null],
    ]);
    expect((await get(viewer, '/api/v1/users/me/hashtags', unfollowed.body.position)).body.items.map((item: { tag: string }) => item.tag)).toEqual([`dogs${tag}`]);
    expect((await followTag(viewer, tag, 'DELETE')).body.following).toBe(false);
    expect(await typesOf(`hashtagfollow-${viewer.userId}-${tag}`)).toEqual(['HashtagFollowed', 'HashtagUnfollowed']);
  });

  it.skipIf(redis && !redisUp)('hides a muted author’s and a blocked (either way) author’s tagged posts, and an author who turned private', async () => {
    const tag = `birds${redis ? 'r' : 'p'}`;
    const [viewer, muted, blocker, blockedOne, later] = [await api.register(), await api.register(), await api.register(), await api.register(), await api.register()];
    await followTag(viewer, tag);
    const shown = await post(later, `hello #${tag}`);
    const [m, b1, b2] = [await post(muted, `#${tag}`), await post(blocker, `#${tag}`), await post(blockedOne, `#${tag}`)];
    expect((await home(viewer, b2.position)).map(([id]) => id)).toEqual([b2.postId, b1.postId, m.postId, shown.postId]);
    await api.call('POST', `/api/v1/users/${muted.username}/mute`, { token: viewer.token });
    await api.call('POST', `/api/v1/users/${viewer.username}/block`, { token: blocker.token });
    const block = await api.call('POST', `/api/v1/users/${blockedOne.username}/block`, { token: viewer.token });
    expect(await home(viewer, block.body.position)).toEqual([[shown.postId, tag]]);
    const turned = await api.call('PUT', `/api/v1/users/${later.username}`, { token: later.token, body: { private: true } });
    expect(turned.status).toBe(200);
    await eventually('the private author’s post leaves the home feed', async () => (await home(viewer, (await post(viewer, 'tick')).position)).every(([id]) => id !== shown.postId), 10_000);
  });

  it.skipIf(redis && !redisUp)('refuses a tag no caption could carry with 400 naming the field, appending nothing', async () => {
    const who = await api.register();
    // Longer than a tag: the server's path parameter limit answers first (400, no field named).
    expect((await api.call('POST', `/api/v1/hashtags/${'x'.repeat(101)}/follow`, { token: who.token })).status).toBe(400);
    for (const bad of ['no%20spaces', 'dash-tag', '%23', 'a.b', '%C3%A9%E2%80%8B']) {
      for (const method of ['POST', 'DELETE'] as const) {
        const refused = await api.call(method, `/api/v1/hashtags/${bad}/follow`, { token: who.token });
        expect([refused.status, refused.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect(JSON.stringify(refused.body.error.details)).toContain('tag');
      }
      expect((await api.call('GET', `/api/v1/hashtags/${bad}`, { token: who.token })).status).toBe(400);
    }
    expect((await t.allEvents()).filter((e) => e.streamId.startsWith(`hashtagfollow-${who.userId}`))).toEqual([]);
    expect((await api.call('POST', '/api/v1/hashtags/cats/follow')).status).toBe(401);
    expect((await api.call('GET', '/api/v1/users/me/hashtags')).status).toBe(401);
  });
});
