import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { eventually } from '../support/kafka.js';
import { isRedisReachable } from '../support/test-redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Mutes end to end (docs/rules.md "Mutes"), on each feed/stories backend: a muted author's posts
// and stories leave the muter's home feed (read through with ?minPosition=, from the warm card
// cache without it, and by pull from PostgreSQL, the fallback while Redis cannot answer) and the
// stories tray, and come back on unmute; the follow stands, the profile, the author's posts and
// stories stay visible to the muter, and a third follower sees everything throughout.
const redisUp = await isRedisReachable();
const media = { url: 'https://cdn.example.com/m.jpg', type: 'image' };

describe.each([
  { backend: 'postgres', redis: false },
  { backend: 'redis', redis: true },
])('mutes on $backend', ({ redis }) => {
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
  const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
  const homeIds = async (who: User, position?: string) => ids((await get(who, '/api/v1/feed/home', position)).body);
  /** The ranked home feed's ids, as a set (its order is the ranking's, not the test's). */
  const rankedIds = async (who: User, position?: string) => ids((await get(who, '/api/v1/feed/home?order=ranked', position)).body).sort();
  const trayAuthors = async (who: User, position?: string) =>
    ((await get(who, '/api/v1/stories/feed', position)).body.items as { author: { id: string } }[]).map((entry) => entry.author.id);
  const pulledIds = async (who: User) => (await t.platform.reads.profiles.pullFeed(who.userId, null, 20)).map((post) => post.id);
  const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);
  const post = async (who: User, caption: string) =>
    (await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption, media: [media] } })).body as { postId: string; position: string };
  const mute = (who: User, whom: User | string, method: 'POST' | 'DELETE' = 'POST') =>
    api.call(method, `/api/v1/users/${typeof whom === 'string' ? whom : whom.username}/mute`, { token: who.token });

  // Rule: a mute hides the muted author's posts and stories from the muter's home feed and tray,
  // nothing else; an unmute restores them exactly (the feed read model kept them).
  it.skipIf(redis && !redisUp)('hides a muted author from the home feed and the tray, not from a third follower, and unmute restores', async () => {
    const [author, muter, third, friend] = [await api.register(), await api.register(), await api.register(), await api.register()];
    for (const [who, whom] of [[muter, author], [third, author], [muter, friend]] as const)
      await api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token });
    const older = await post(author, 'muted soon');
    const kept = await post(friend, 'a friend');
    await api.call('POST', '/api/v1/stories', { token: friend.token, body: { media } });
    const story = await api.call('POST', '/api/v1/stories', { token: author.token, body: { media } });
    const before = story.body.position as string;
    expect(await homeIds(muter, before)).toEqual([kept.postId, older.postId]);
    expect((await trayAuthors(muter, before)).sort()).toEqual([author.userId, friend.userId].sort());
    // Warm the card cache (pair facts included): the next plain reads are the in-process path.
    expect(await homeIds(muter)).toEqual([kept.postId, older.postId]);

    const muted = await mute(muter, author);
    expect(muted.status).toBe(200);
    expect(muted.body).toEqual({ muted: true, position: expect.any(String) });
    const at = muted.body.position as string;
    expect(await homeIds(muter, at)).toEqual([kept.postId]);
    expect(await rankedIds(muter, at)).toEqual([kept.postId]);
    await eventually('the mute reaches the warm home feed', async () => (await homeIds(muter)).join() === kept.postId, 10_000);
    expect(await pulledIds(muter)).toEqual([kept.postId]);
    expect(await trayAuthors(muter, at)).toEqual([friend.userId]);
    // A post made while muted stays out too, and is there on unmute.
    const newer = await post(author, 'while muted');
    expect(await homeIds(muter, newer.position)).toEqual([kept.postId]);

    // Nothing else changed: the follow, the profile, the author's own posts and stories.
    const profile = await get(muter, `/api/v1/users/${author.username}`, newer.position);
    expect(profile.status).toBe(200);
    expect(profile.body.relationship).toEqual({ following: true, requested: false, followedBy: false, muting: true });
    expect(ids((await get(muter, `/api/v1/feed/user/${author.username}`, newer.position)).body)).toEqual([newer.postId, older.postId]);
    expect((await get(muter, `/api/v1/users/${author.username}/stories`, newer.position)).body.items).toHaveLength(1);
    expect((await get(muter, `/api/v1/posts/${older.postId}`)).status).toBe(200);
    // The muted author is not told.
    expect((await get(author, `/api/v1/users/${muter.username}`, newer.position)).body.relationship.muting).toBe(false);
    // A third follower sees everything.
    expect(await homeIds(third, newer.position)).toEqual([newer.postId, older.postId]);
    expect(await trayAuthors(third, newer.position)).toContain(author.userId);

    // Intents: muting again appends nothing.
    const again = await mute(muter, author);
    expect(again.body.muted).toBe(true);
    expect(await typesOf(`mute-${muter.userId}-${author.userId}`)).toEqual(['Muted']);

    const unmuted = await mute(muter, author, 'DELETE');
    expect(unmuted.status).toBe(200);
    expect(unmuted.body).toEqual({ muted: false, position: expect.any(String) });
    const restored = [newer.postId, kept.postId, older.postId];
    expect(await homeIds(muter, unmuted.body.position)).toEqual(restored);
    expect(await rankedIds(muter, unmuted.body.position)).toEqual([...restored].sort());
    await eventually('the unmute reaches the warm home feed', async () => (await homeIds(muter)).join() === restored.join(), 10_000);
    expect(await pulledIds(muter)).toEqual(restored);
    expect((await trayAuthors(muter, unmuted.body.position)).sort()).toEqual([author.userId, friend.userId].sort());
    expect((await get(muter, `/api/v1/users/${author.username}`, unmuted.body.position)).body.relationship.muting).toBe(false);
    expect((await mute(muter, author, 'DELETE')).body.muted).toBe(false);
    expect(await typesOf(`mute-${muter.userId}-${author.userId}`)).toEqual(['Muted', 'Unmuted']);
  });

  // Rule: muting yourself is 422; an unknown account, or one a block stands between (either
  // way), is 404 USER_NOT_FOUND exactly as an unknown username; nothing is appended.
  it.skipIf(redis && !redisUp)('refuses muting yourself, unknown accounts and accounts behind a block, appending nothing', async () => {
    const [a, blocker, blockedByA] = [await api.register(), await api.register(), await api.register()];
    const self = await mute(a, a);
    expect([self.status, self.body.error.code]).toEqual([422, 'CANNOT_MUTE_SELF']);
    const unknown = await mute(a, 'nobody.here');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    await api.call('POST', `/api/v1/users/${a.username}/block`, { token: blocker.token });
    await api.call('POST', `/api/v1/users/${blockedByA.username}/block`, { token: a.token });
    for (const other of [blocker, blockedByA]) {
      const refused = await mute(a, other);
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('USER_NOT_FOUND');
      // Unmuting needs no facts: it answers, and appends nothing when nothing was muted.
      expect((await mute(a, other, 'DELETE')).body.muted).toBe(false);
      expect(await typesOf(`mute-${a.userId}-${other.userId}`)).toEqual([]);
    }
    expect(await typesOf(`mute-${a.userId}-${a.userId}`)).toEqual([]);
  });
});
