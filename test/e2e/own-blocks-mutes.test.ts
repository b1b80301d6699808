import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// One's own blocks and mutes (GET /api/v1/users/me/blocks, /users/me/mutes): the accounts standing
// blocked or muted now, newest first, paged, each list its owner's alone. A block hides each profile
// from the other, so this list is the only way back to a blocked account.
describe('your blocks and mutes', () => {
  let t: TestApp;
  let api: ReturnType<typeof apiClient>;
  beforeAll(async () => {
    t = await startTestApp();
    api = apiClient(t.app);
  });
  afterAll(() => t?.close());

  const usernames = (body: { items: { username: string }[] }) => body.items.map((user) => user.username);
  const list = (who: User, which: 'blocks' | 'mutes', query = '') => api.call('GET', `/api/v1/users/me/${which}${query}`, { token: who.token });
  const on = (who: User, whom: User, what: 'block' | 'mute', method: 'POST' | 'DELETE' = 'POST') =>
    api.call(method, `/api/v1/users/${whom.username}/${what}`, { token: who.token });

  it('lists the accounts you block and mute now, newest first, paged; ended ones leave; nobody else sees them', async () => {
    // Registered one after another, so ids rise in this order: two blocks in one millisecond tie-break by id, newest first still.
    const people: User[] = [];
    for (let i = 0; i < 7; i++) people.push(await api.register());
    const [me, a, b, c, d, e, other] = people as [User, User, User, User, User, User, User];
    let position = '';
    for (const whom of [a, b, c]) position = (await on(me, whom, 'block')).body.position;
    // (A block stands between the blocked and a mute: mutes are of others.)
    for (const whom of [d, e]) position = (await on(me, whom, 'mute')).body.position;
    const fresh = `?minPosition=${encodeURIComponent(position)}`;
    expect(usernames((await list(me, 'blocks', fresh)).body)).toEqual([c.username, b.username, a.username]);
    expect(usernames((await list(me, 'mutes', fresh)).body)).toEqual([e.username, d.username]);

    // Paged by cursor, newest first, every one once.
    const first = await list(me, 'blocks', `${fresh}&limit=2`);
    expect(usernames(first.body)).toEqual([c.username, b.username]);
    const second = await list(me, 'blocks', `?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(usernames(second.body)).toEqual([a.username]);
    expect(second.body.nextCursor).toBeNull();

    // An unblock and an unmute take them off.
    await on(me, b, 'block', 'DELETE');
    const unmuted = await on(me, e, 'mute', 'DELETE');
    const after = `?minPosition=${encodeURIComponent(unmuted.body.position)}`;
    expect(usernames((await list(me, 'blocks', after)).body)).toEqual([c.username, a.username]);
    expect(usernames((await list(me, 'mutes', after)).body)).toEqual([d.username]);

    // Each list is its owner's: the blocked, and anyone else, see their own (empty) lists.
    for (const who of [a, other]) {
      expect((await list(who, 'blocks', after)).body).toEqual({ items: [], nextCursor: null });
      expect((await list(who, 'mutes', after)).body).toEqual({ items: [], nextCursor: null });
    }
  });

  it('asks for a signed-in caller and refuses a bad page', async () => {
    expect((await api.call('GET', '/api/v1/users/me/blocks')).status).toBe(401);
    const me = await api.register();
    const bad = await list(me, 'mutes', '?limit=0');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await list(me, 'blocks', '?cursor=not-a-cursor')).status).toBe(400);
  });
});
