import { describe, expect, it } from 'vitest';
import { ADMIN_EXIT, runAdminCli } from '../../app/admin-cli.js';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Verified accounts (docs/architecture.md "Suggestions and mutual followers", README "Operator
// CLI"): an operator's `verify` / `unverify` through the user decider, the profile's `verified`,
// and user search ranking verified, then more followed, accounts higher among equally good
// matches, after the exact username.

const { t, api } = useTestApp();

const admin = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCli(args, {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    connect: async () => ({ store: t.platform.commands.store, close: async () => undefined }),
  });
  return { code, out: out.join(''), err: err.join('') };
};
const follow = async (who: User, whom: User) =>
  (await api.call('POST', `/api/v1/users/${whom.username}/follow`, { token: who.token })).body.position as string;
const get = (who: User, url: string, position: string) =>
  api.call('GET', `${url}${url.includes('?') ? '&' : '?'}minPosition=${encodeURIComponent(position)}`, { token: who.token });

describe('verified accounts', () => {
  it('an operator verifies and unverifies an account; the profile says so; repeating changes nothing', async () => {
    const [owner, viewer] = [await api.register(), await api.register()];
    const verified = await admin('verify', owner.username.toUpperCase());
    expect(verified.code, verified.err).toBe(ADMIN_EXIT.ok);
    expect(verified.out).toContain('now verified');
    expect((await admin('verify', owner.username)).out).toContain('already verified');
    const after = await follow(viewer, owner);
    expect((await get(viewer, `/api/v1/users/${owner.username}`, after)).body.verified).toBe(true);

    expect((await admin('unverify', owner.username)).out).toContain('now not verified');
    const later = await follow(owner, viewer);
    expect((await get(viewer, `/api/v1/users/${owner.username}`, later)).body.verified).toBe(false);
    const types = (await t.allEvents()).filter((e) => e.streamId === `user-${owner.userId}`).map((e) => e.type);
    expect(types.filter((type) => type === 'VerifiedChanged')).toHaveLength(2);
  });

  it('refuses an unknown account and a bad command line, appending nothing', async () => {
    const before = (await t.allEvents()).length;
    const unknown = await admin('verify', 'nobody_by_this_name');
    expect(unknown.code).toBe(ADMIN_EXIT.failed);
    expect(unknown.err).toContain('USER_NOT_FOUND');
    for (const args of [[], ['verify'], ['promote', 'x'], ['verify', 'a', 'b']]) expect((await admin(...args)).code).toBe(ADMIN_EXIT.usage);
    expect((await t.allEvents()).length).toBe(before);
  });

  it('user search: the exact username first, then verified, then more followed accounts among equally good matches', async () => {
    const base = `vq${Date.now().toString(36)}`;
    const [a, b, c] = [await api.register(`${base}a`), await api.register(`${base}b`), await api.register(`${base}c`)];
    const [fan1, fan2, viewer] = [await api.register(), await api.register(), await api.register()];
    await follow(fan1, c);
    await follow(fan2, c);
    expect((await admin('verify', b.username)).code).toBe(ADMIN_EXIT.ok);
    const last = await follow(fan1, a);
    const names = (body: { users: Array<{ username: string }> }) => body.users.map((user) => user.username);

    // Same match quality for all three (a username prefix): b is verified, c has two followers, a one.
    expect(names((await get(viewer, `/api/v1/search/autocomplete?q=${base}`, last)).body)).toEqual([b.username, c.username, a.username]);
    // The exact username still comes first, whatever the others' standing.
    expect(names((await get(viewer, `/api/v1/search/autocomplete?q=${a.username}`, last)).body)[0]).toBe(a.username);
    // Full search (no prefix matching): the exact username, then the typo'd names, verified first.
    expect(names((await get(viewer, `/api/v1/search?type=users&q=${a.username}`, last)).body)).toEqual([a.username, b.username, c.username]);
  });
});
