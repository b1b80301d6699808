import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// docs/architecture.md "Suggestions and mutual followers", end to end through the profiles
// projection: friends of friends ranked by how many of the viewer's follows follow them, without
// anyone the viewer follows, asked to follow, blocks or is blocked by; and a profile's
// "followed by" naming the viewer's follows that follow the account.

const { api } = useTestApp();

const follow = async (who: User, whom: User) =>
  (await api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token })).body.position as string;
const get = (who: User, url: string, position: string) =>
  api.call('GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}`, { token: who.token });

describe('suggestions and mutual followers', () => {
  it('suggests friends of friends by mutual count, never one already followed, requested, blocked or oneself', async () => {
    const [viewer, a, b, c, d, e, shy, blocker] = await Promise.all(Array.from({ length: 8 }, () => api.register()));
    await api.call('PUT', `/api/v1/users/${shy!.username}`, { token: shy!.token, body: { private: true } });
    for (const whom of [a!, b!, e!, shy!]) await follow(viewer!, whom); // shy: a pending request
    for (const whom of [c!, d!, e!, shy!, blocker!, viewer!]) await follow(a!, whom);
    for (const whom of [c!, e!]) await follow(b!, whom);
    const last = (await api.call('POST', `/api/v1/users/${viewer!.username}/block`, { token: blocker!.token })).body.position as string;

    const answer = await get(viewer!, '/api/v1/suggestions/users?limit=50', last);
    expect(answer.status).toBe(200);
    const items = answer.body.items as Array<{ username: string; mutualCount: number }>;
    expect(items.slice(0, 2)).toEqual([
      expect.objectContaining({ username: c!.username, mutualCount: 2 }),
      expect.objectContaining({ username: d!.username, mutualCount: 1 }),
    ]);
    const excluded = new Set([viewer, a, b, e, shy, blocker].map((user) => user!.username));
    expect(items.filter((item) => excluded.has(item.username))).toEqual([]);
    // The rest are the most followed public accounts, filling in: no mutual follower among them.
    expect(items.slice(2).every((item) => item.mutualCount === 0)).toBe(true);
    expect(new Set(items.map((item) => item.username)).size).toBe(items.length);

    const two = await get(viewer!, '/api/v1/suggestions/users?limit=2', last);
    expect((two.body.items as Array<{ username: string }>).map((item) => item.username)).toEqual([c!.username, d!.username]);
  });

  it('a new account is suggested the most followed public accounts, a private one never', async () => {
    const [star, hidden, fan1, fan2, newcomer] = await Promise.all(Array.from({ length: 5 }, () => api.register()));
    await api.call('PUT', `/api/v1/users/${hidden!.username}`, { token: hidden!.token, body: { private: true } });
    for (const fan of [fan1!, fan2!, newcomer!]) await follow(fan, hidden!); // requests only: no follower count
    await follow(fan1!, star!);
    const last = await follow(fan2!, star!);
    // The newcomer's pending request to `hidden` also excludes it; ask as someone with no graph at all.
    const blank = await api.register();
    const items = (await get(blank, '/api/v1/suggestions/users?limit=50', last)).body.items as Array<{ username: string; mutualCount: number }>;
    expect(items.map((item) => item.username)).toContain(star!.username);
    expect(items.map((item) => item.username)).not.toContain(hidden!.username);
    expect(items.every((item) => item.mutualCount === 0)).toBe(true);
  });

  it('a profile names up to three of the viewer\'s follows that follow the account, and counts them all', async () => {
    const [viewer, target, f1, f2, f3, f4, stranger] = await Promise.all(Array.from({ length: 7 }, () => api.register()));
    for (const f of [f1!, f2!, f3!, f4!]) await follow(viewer!, f);
    for (const f of [f1!, f2!, f3!, f4!, stranger!]) await follow(f, target!);
    // f1 is the most followed of them: named first.
    await follow(stranger!, f1!);
    const last = await follow(target!, f1!);

    const seen = await get(viewer!, `/api/v1/users/${target!.username}`, last);
    expect(seen.status).toBe(200);
    expect(seen.body.mutualFollowers.count).toBe(4);
    expect(seen.body.mutualFollowers.usernames).toHaveLength(3);
    expect(seen.body.mutualFollowers.usernames[0]).toBe(f1!.username);
    for (const name of seen.body.mutualFollowers.usernames) expect([f1, f2, f3, f4].map((f) => f!.username)).toContain(name);
    // The cached answer (no ?minPosition=) is the same.
    const cached = await api.call('GET', `/api/v1/users/${target!.username}`, { token: viewer!.token });
    expect(cached.body.mutualFollowers).toEqual(seen.body.mutualFollowers);

    // One's own profile, and a viewer who follows none of them: nobody named; the stranger follows f1 only.
    expect((await get(target!, `/api/v1/users/${target!.username}`, last)).body.mutualFollowers).toEqual({ usernames: [], count: 0 });
    expect((await get(f4!, `/api/v1/users/${target!.username}`, last)).body.mutualFollowers).toEqual({ usernames: [], count: 0 });
    expect((await get(stranger!, `/api/v1/users/${target!.username}`, last)).body.mutualFollowers).toEqual({ usernames: [f1!.username], count: 1 });
  });
});
