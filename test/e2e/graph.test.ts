import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

const { t, api } = useTestApp();

const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);
const follow = (who: User, username: string) => api.call('POST', `/api/v1/users/${username}/follow`, { token: who.token });

describe('the social graph over HTTP', () => {
  it('follows a public account at once, and a second follow changes nothing', async () => {
    const [a, b] = [await api.register(), await api.register()];
    const first = await follow(a, b.username);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('following');
    const again = await follow(a, b.username);
    expect(again.body.status).toBe('following');
    expect(again.body.position >= first.body.position).toBe(true);
    expect(await typesOf(`follow-${a.userId}-${b.userId}`)).toEqual(['Followed']);
  });

  it('refuses following yourself with 422', async () => {
    const a = await api.register();
    const self = await follow(a, a.username);
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('CANNOT_FOLLOW_SELF');
  });

  it('asks a private account, which the owner approves or rejects; only the owner may answer', async () => {
    const [owner, fan, other] = [await api.register(), await api.register(), await api.register()];
    await api.call('PUT', `/api/v1/users/${owner.username}`, { token: owner.token, body: { private: true } });
    const asked = await follow(fan, owner.username);
    expect(asked.body.status).toBe('requested');

    const intruder = await api.call('POST', `/api/v1/follow-requests/${fan.username}/approve`, { token: other.token });
    expect(intruder.status).toBe(404); // other has no request from fan: nothing to approve
    const approved = await api.call('POST', `/api/v1/follow-requests/${fan.username}/approve`, { token: owner.token });
    expect(approved.status).toBe(200);
    expect(await typesOf(`follow-${fan.userId}-${owner.userId}`)).toEqual(['FollowRequested', 'FollowRequestApproved', 'Followed']);

    await follow(other, owner.username);
    const rejected = await api.call('POST', `/api/v1/follow-requests/${other.username}/reject`, { token: owner.token });
    expect(rejected.status).toBe(200);
    expect(await typesOf(`follow-${other.userId}-${owner.userId}`)).toEqual(['FollowRequested', 'FollowRequestRejected']);
    const none = await api.call('POST', `/api/v1/follow-requests/${other.username}/reject`, { token: owner.token });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('FOLLOW_REQUEST_NOT_FOUND');
  });

  it('unfollows, and withdraws a pending request', async () => {
    const [a, b, p] = [await api.register(), await api.register(), await api.register()];
    await follow(a, b.username);
    const un = await api.call('DELETE', `/api/v1/users/${b.username}/follow`, { token: a.token });
    expect(un.body.status).toBe('none');
    await api.call('PUT', `/api/v1/users/${p.username}`, { token: p.token, body: { private: true } });
    await follow(a, p.username);
    await api.call('DELETE', `/api/v1/users/${p.username}/follow`, { token: a.token });
    expect(await typesOf(`follow-${a.userId}-${p.userId}`)).toEqual(['FollowRequested', 'FollowRequestCancelled']);
  });

  it('a block ends follows both ways, and neither side can follow: answered exactly as an unknown username', async () => {
    const [a, b] = [await api.register(), await api.register()];
    await follow(a, b.username);
    await follow(b, a.username);
    const blocked = await api.call('POST', `/api/v1/users/${b.username}/block`, { token: a.token });
    expect(blocked.status).toBe(200);
    expect(await typesOf(`follow-${a.userId}-${b.userId}`)).toEqual(['Followed', 'Unfollowed']);
    expect(await typesOf(`follow-${b.userId}-${a.userId}`)).toEqual(['Followed', 'Unfollowed']);
    const unknown = await follow(b, 'nobody_by_this_name');
    expect(unknown.status).toBe(404);
    const refused = await follow(b, a.username);
    const blockerToo = await follow(a, b.username);
    for (const answer of [refused, blockerToo]) {
      expect(answer.status).toBe(404);
      expect(answer.body.error).toEqual(unknown.body.error);
    }

    await api.call('DELETE', `/api/v1/users/${b.username}/block`, { token: a.token });
    expect((await follow(b, a.username)).body.status).toBe('following');
  });

  it('answers 404 for an unknown username', async () => {
    const a = await api.register();
    const response = await follow(a, 'no.such.user');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('USER_NOT_FOUND');
  });
});

describe('a follow racing a block', () => {
  it('never leaves a follow standing beside a block, whichever lands first', async () => {
    const { followDecider } = await import('../../domain/follow/follow.js');
    const { foldHistory } = await import('../../commands/load-state.js');
    for (let round = 0; round < 12; round++) {
      const [fan, star] = [await api.register(), await api.register()];
      await Promise.all([
        api.call('POST', `/api/v1/users/${star.username}/follow`, { token: fan.token }),
        api.call('POST', `/api/v1/users/${fan.username}/block`, { token: star.token }),
      ]);
      const history = await t.platform.commands.store.readStream(`follow-${fan.userId}-${star.userId}`);
      const state = foldHistory(followDecider, history);
      expect(state.status, `round ${round}: ${history.map((e) => e.type).join(', ')}`).toBe('none');
    }
  });
});
