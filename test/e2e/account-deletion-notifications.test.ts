import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { streams } from '../../events/index.js';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// docs/architecture.md "Account deletion", notifications end to end: activity through the real
// commands, the lifecycle events appended to the person's user stream through the platform's
// event store (as the deletion routes and the erasure worker append them), and what
// GET /api/v1/notifications answers through the real projection.

const { t, api } = useTestApp();

const names = () => Math.random().toString(36).slice(2, 8);
const send = async (who: User, method: 'POST' | 'DELETE', url: string, body?: unknown) => {
  const response = await api.call(method, url, { token: who.token, ...(body !== undefined ? { body } : {}) });
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body as { position: string; commentId?: string };
};
const notifications = async (who: User, position: string) => {
  const response = await api.call('GET', `/api/v1/notifications?minPosition=${encodeURIComponent(position)}`, { token: who.token });
  expect(response.status).toBe(200);
  expect(response.headers['x-stale-projections']).toBeUndefined();
  const body = response.body as { items: Array<{ text: string; actorCount: number; actors: Array<{ username: string }> }>; unreadCount: number };
  return { texts: body.items.map((i) => i.text), actors: body.items.map((i) => [i.actorCount, i.actors.map((a) => a.username)]), unread: body.unreadCount };
};

/** Appends one lifecycle event to the person's user stream; answers its position. */
const lifecycle = async (who: User, type: 'AccountDeletionRequested' | 'AccountRestored' | 'AccountErased', data: object = {}) => {
  const at = new Date().toISOString();
  const fields = { AccountDeletionRequested: { requestedAt: at, eraseAfter: at }, AccountRestored: { restoredAt: at }, AccountErased: { erasedAt: at } }[type];
  const event = { eventId: uuidv7(), type, data: { userId: who.userId, ...fields, ...data }, metadata: { correlationId: uuidv7(), causationId: null, actorId: who.userId, occurredAt: at } };
  const { position } = await t.platform.commands.store.append(streams.user(who.userId), [event], 'stream_exists');
  return position as string;
};

describe('account deletion in notifications', () => {
  it('hides a deleting person as an actor, shows them again on restore, and after the erasure nothing of theirs is left', async () => {
    const [owner, gone, fan] = await Promise.all(['o', 'g', 'f'].map((p) => api.register(`${p}${names()}`)));
    const liked = await api.createPost(owner!);
    const alone = await api.createPost(owner!);
    await send(gone!, 'POST', `/api/v1/posts/${liked}/like`);
    await send(fan!, 'POST', `/api/v1/posts/${liked}/like`);
    await send(gone!, 'POST', `/api/v1/posts/${alone}/like`);
    await send(gone!, 'POST', `/api/v1/users/${owner!.username}/follow`);
    const theirs = await api.createPost(gone!);
    let { position } = await send(fan!, 'POST', `/api/v1/posts/${theirs}/like`);

    const before = await notifications(owner!, position);
    expect(before.texts).toEqual([
      `${gone!.username} started following you`,
      `${gone!.username} liked your post`,
      `${fan!.username} and ${gone!.username} liked your post`,
    ]);
    expect(before.unread).toBe(3);
    const own = await notifications(gone!, position);
    expect(own.texts).toEqual([`${fan!.username} liked your post`]);

    position = await lifecycle(gone!, 'AccountDeletionRequested');
    expect(await notifications(owner!, position)).toEqual({ texts: [`${fan!.username} liked your post`], actors: [[1, [fan!.username]]], unread: 1 });
    // The owner of the deleting account still reads their own.
    expect(await notifications(gone!, position)).toEqual(own);

    position = await lifecycle(gone!, 'AccountRestored');
    expect(await notifications(owner!, position)).toEqual(before);

    await lifecycle(gone!, 'AccountDeletionRequested');
    // Part of the cascade (the like of `alone` and the follow are left behind), then the erasure.
    await send(gone!, 'DELETE', `/api/v1/posts/${liked}/like`);
    position = await lifecycle(gone!, 'AccountErased');
    expect(await notifications(owner!, position)).toEqual({ texts: [`${fan!.username} liked your post`], actors: [[1, [fan!.username]]], unread: 1 });
    expect(await notifications(gone!, position)).toEqual({ texts: [], actors: [], unread: 0 });
    const left = await t.platform.pool.query(
      `select (select count(*)::int from notification_groups where recipient_id = $1) as groups,
              (select count(*)::int from notification_group_actors where actor_id = $1) as acting`,
      [gone!.userId],
    );
    expect(left.rows[0]).toEqual({ groups: 0, acting: 0 });
  });
});
