import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// The following cap over HTTP, lowered to 2 (createPlatform's option) instead of following
// FOLLOWING_MAX accounts: the count comes from the profiles read model, pending requests included,
// and frees up on an unfollow or a withdrawn request.

const { t, api } = useTestApp({ followingMax: 2 });

const follow = (who: User, username: string) => api.call('POST', `/api/v1/users/${username}/follow`, { token: who.token });
const unfollow = (who: User, username: string) => api.call('DELETE', `/api/v1/users/${username}/follow`, { token: who.token });
/** Waits until the profiles read model has applied `position` (read-your-writes on a profile read). */
const seen = (who: User, position: string) =>
  api.call('GET', `/api/v1/users/${who.username}?minPosition=${encodeURIComponent(position)}`, { token: who.token });
const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);

describe('the following cap over HTTP', () => {
  it('counts follows and pending requests, refuses past the cap with 422 FOLLOWING_LIMIT_REACHED, and frees a slot on unfollow', async () => {
    const [fan, open, closed, third] = [await api.register(), await api.register(), await api.register(), await api.register()];
    await api.call('PUT', `/api/v1/users/${closed.username}`, { token: closed.token, body: { private: true } });

    expect((await follow(fan, open.username)).body.status).toBe('following');
    const asked = await follow(fan, closed.username);
    expect(asked.body.status).toBe('requested');
    await seen(fan, asked.body.position);

    const refused = await follow(fan, third.username);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('FOLLOWING_LIMIT_REACHED');
    expect(await typesOf(`follow-${fan.userId}-${third.userId}`)).toEqual([]);
    // A repeat of a standing follow is not a new one.
    expect((await follow(fan, open.username)).status).toBe(200);

    const gone = await unfollow(fan, open.username);
    await seen(fan, gone.body.position);
    expect((await follow(fan, third.username)).body.status).toBe('following');
  });
});
