import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Notifications end to end: commands through the real projection to GET /api/v1/notifications.

const { api } = useTestApp();

const names = () => Math.random().toString(36).slice(2, 8);
const send = async (who: User, method: 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown) => {
  const response = await api.call(method, url, { token: who.token, ...(body !== undefined ? { body } : {}) });
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body as { position: string; postId?: string; commentId?: string };
};
/** The caller's notifications once the projection has applied `position`. */
const notifications = async (who: User, position: string, query = '') => {
  const response = await api.call('GET', `/api/v1/notifications?minPosition=${encodeURIComponent(position)}${query}`, { token: who.token });
  expect(response.status).toBe(200);
  expect(response.headers['x-stale-projections']).toBeUndefined();
  return response.body as { items: Array<Record<string, any>>; nextCursor: string | null; unreadCount: number }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe('notifications', () => {
  it('groups likes on a post ("x and N others"), newest actor first, drops an unliked one and ignores your own like', async () => {
    const [owner, ...likers] = await Promise.all(['o', 'a', 'b', 'c', 'd'].map((p) => api.register(`${p}${names()}`)));
    const postId = await api.createPost(owner!);
    await send(owner!, 'POST', `/api/v1/posts/${postId}/like`);
    for (const liker of likers) await send(liker, 'POST', `/api/v1/posts/${postId}/like`);
    const { position } = await send(likers[0]!, 'DELETE', `/api/v1/posts/${postId}/like`);
    const { items, unreadCount } = await notifications(owner!, position);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'like', post: { id: postId }, actorCount: 3, read: false });
    expect(items[0]!.actors.map((a: User) => a.username)).toEqual([likers[3]!.username, likers[2]!.username, likers[1]!.username]);
    expect(items[0]!.text).toBe(`${likers[3]!.username} and 2 others liked your post`);
    expect(unreadCount).toBe(1);
  });

  it('comments, replies, mentions, follows and follow requests each notify the right user with their text', async () => {
    const [ann, bob, cat] = await Promise.all(['ann', 'bob', 'cat'].map((p) => api.register(`${p}${names()}`)));
    const postId = await api.createPost(ann!, `with @${cat!.username}`);
    const { commentId } = await send(bob!, 'POST', `/api/v1/posts/${postId}/comments`, { text: 'nice' });
    await send(cat!, 'POST', `/api/v1/posts/${postId}/comments`, { text: `thanks @${bob!.username}`, parentCommentId: commentId });
    await send(bob!, 'POST', `/api/v1/users/${ann!.username}/follow`);
    await send(cat!, 'PUT', `/api/v1/users/${cat!.username}`, { private: true });
    const { position } = await send(ann!, 'POST', `/api/v1/users/${cat!.username}/follow`);

    const texts = async (who: User) => (await notifications(who, position)).items.map((i) => i.text).sort();
    expect(await texts(ann!)).toEqual([`${bob!.username} commented on your post`, `${bob!.username} started following you`].sort());
    expect(await texts(bob!)).toEqual([`${cat!.username} mentioned you in a comment`, `${cat!.username} replied to your comment`].sort());
    expect(await texts(cat!)).toEqual([`${ann!.username} asked to follow you`, `${ann!.username} mentioned you in a post`].sort());
    const reply = (await notifications(bob!, position)).items.find((i) => i.type === 'reply')!;
    expect(reply).toMatchObject({ post: { id: postId }, comment: { id: commentId } });
  });

  it('a blocked user\'s activity is not shown; marking read by id, up to a time, or all, moves the unread count', async () => {
    const [owner, fan, foe] = await Promise.all(['o', 'f', 'x'].map((p) => api.register(`${p}${names()}`)));
    const first = await api.createPost(owner!);
    const second = await api.createPost(owner!);
    await send(fan!, 'POST', `/api/v1/posts/${first}/like`);
    await send(foe!, 'POST', `/api/v1/posts/${first}/like`);
    await send(foe!, 'POST', `/api/v1/posts/${second}/like`);
    let { position } = await send(fan!, 'POST', `/api/v1/posts/${second}/like`);
    let list = await notifications(owner!, position);
    expect(list.unreadCount).toBe(2);
    ({ position } = await send(owner!, 'POST', `/api/v1/users/${foe!.username}/block`));
    list = await notifications(owner!, position);
    expect(list.items.map((i) => [i.actorCount, i.actors.map((a: User) => a.username)])).toEqual([
      [1, [fan!.username]],
      [1, [fan!.username]],
    ]);

    ({ position } = await send(owner!, 'POST', '/api/v1/notifications/read', { ids: [list.items[0]!.id] }));
    list = await notifications(owner!, position);
    expect(list.items.map((i) => i.read)).toEqual([true, false]);
    expect(list.unreadCount).toBe(1);
    ({ position } = await send(owner!, 'POST', '/api/v1/notifications/read', { upTo: '2000-01-01T00:00:00Z' }));
    expect((await notifications(owner!, position)).unreadCount).toBe(1);
    ({ position } = await send(owner!, 'POST', '/api/v1/notifications/read'));
    list = await notifications(owner!, position);
    expect(list.unreadCount).toBe(0);
    // New activity in a read group makes it unread again.
    await send(fan!, 'DELETE', `/api/v1/posts/${second}/like`);
    ({ position } = await send(fan!, 'POST', `/api/v1/posts/${second}/like`));
    expect((await notifications(owner!, position)).unreadCount).toBe(1);
  });

  // Review F9: each comment mentioning the victim is a group of its own; blocking the harasser
  // hides them all at once (the list never reads them to skip them) and the count follows.
  it("blocking a harasser hides their many groups from the list and the unread count at once; unblocking brings them back", async () => {
    const [victim, harasser, friend] = await Promise.all(['v', 'h', 'f'].map((p) => api.register(`${p}${names()}`)));
    const own = await api.createPost(harasser!);
    for (let i = 0; i < 25; i++) await send(harasser!, 'POST', `/api/v1/posts/${own}/comments`, { text: `@${victim!.username} ${i}` });
    const mine = await api.createPost(victim!);
    let { position } = await send(friend!, 'POST', `/api/v1/posts/${mine}/like`);
    let list = await notifications(victim!, position, '&limit=5');
    expect(list.unreadCount).toBe(26);
    expect(list.items).toHaveLength(5);
    ({ position } = await send(victim!, 'POST', `/api/v1/users/${harasser!.username}/block`));
    list = await notifications(victim!, position, '&limit=5');
    expect(list.unreadCount).toBe(1);
    expect(list.items.map((item) => item.type)).toEqual(['like']);
    expect(list.nextCursor).toBeNull();
    ({ position } = await send(victim!, 'DELETE', `/api/v1/users/${harasser!.username}/block`));
    list = await notifications(victim!, position, '&limit=5');
    expect(list.unreadCount).toBe(26);
    expect(list.items.filter((item) => item.type === 'mention')).toHaveLength(4);
  });

  it('pages with a cursor, and refuses bad input with field paths', async () => {
    const [owner, ...fans] = await Promise.all(['o', 'a', 'b', 'c'].map((p) => api.register(`${p}${names()}`)));
    let position = '';
    for (const fan of fans) ({ position } = await send(fan, 'POST', `/api/v1/users/${owner!.username}/follow`));
    for (let i = 0; i < 2; i++) {
      const postId = await api.createPost(owner!);
      ({ position } = await send(fans[0]!, 'POST', `/api/v1/posts/${postId}/like`));
    }
    const page1 = await notifications(owner!, position, '&limit=2');
    const page2 = await notifications(owner!, position, `&limit=2&cursor=${page1.nextCursor}`);
    expect(page1.items).toHaveLength(2);
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect(new Set([...page1.items, ...page2.items].map((i) => i.id)).size).toBe(3);

    const bad = async (method: 'GET' | 'POST', url: string, body?: unknown) => api.call(method, url, { token: owner!.token, ...(body ? { body } : {}) });
    expect((await bad('GET', '/api/v1/notifications?limit=0')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'limit' }] });
    expect((await bad('GET', '/api/v1/notifications?cursor=bm9wZQ')).body.error.code).toBe('INVALID_CURSOR');
    const wrongId = await bad('POST', '/api/v1/notifications/read', { ids: ['nope'] });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.error.details[0].path).toBe('ids.0');
    expect((await bad('POST', '/api/v1/notifications/read', { upTo: 'yesterday' })).body.error.details[0].path).toBe('upTo');
    expect((await bad('POST', '/api/v1/notifications/read', { everything: true })).status).toBe(400);
    expect((await api.call('GET', '/api/v1/notifications')).status).toBe(401);
  });
});
