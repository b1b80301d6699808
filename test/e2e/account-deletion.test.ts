import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, TOTP_STEP_MS, totpAt } from '../../commands/accounts/totp.js';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, useTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// Deleting one's account through the HTTP API, steps 1-3 of its lifecycle (docs/architecture.md
// "Account deletion", "Requesting and restoring"): the request confirmed by the password (and a
// code with two-factor authentication on), the sessions it ends, what the owner may still do in the
// grace period, the account hidden from everyone else on the write side, restoring it, and the end
// of the grace. The erasure itself is the erasure worker's (its own tests).

// TOTP codes are computed on a fixed clock (createPlatform's twoFactorClock), as in two-factor.test.ts.
let clock = 1_900_000_000 * 1000 - ((1_900_000_000 * 1000) % TOTP_STEP_MS);
const { t, api } = useTestApp({ twoFactorClock: () => clock });
const PASSWORD = 'correct horse battery';
const image = { url: 'https://cdn.example.com/a.jpg', type: 'image' };

const deleteAccount = (client: ApiClient, user: User, body: unknown, username = user.username) =>
  client.call('DELETE', `/api/v1/users/${username}`, { token: user.token, body });
const restore = (client: ApiClient, user: User, username = user.username) => client.call('POST', `/api/v1/users/${username}/restore`, { token: user.token });
const logIn = async (client: ApiClient, user: User): Promise<User & { deletion: unknown }> => {
  const { status, body } = await client.call('POST', '/api/v1/users/login', { body: { username: user.username, password: PASSWORD } });
  expect(status).toBe(200);
  return { ...user, token: body.accessToken, refreshToken: body.refreshToken, sessionId: body.sessionId, deletion: body.deletion };
};
const eventCount = async () => (await t.allEvents()).length;
const eventsOf = async (userId: string) => (await t.allEvents()).filter((e) => e.streamId === `user-${userId}`).map((e) => e.type);

describe('requesting the deletion of an account', () => {
  it('refuses a wrong password (403 WRONG_PASSWORD), appending nothing and ending no session', async () => {
    const ann = await api.register();
    const before = await eventCount();
    const refused = await deleteAccount(api, ann, { password: 'not the password' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('WRONG_PASSWORD');
    expect(await eventCount()).toBe(before);
    expect((await api.call('GET', '/api/v1/auth/me', { token: ann.token })).body.deletion).toBeNull();
  });

  it('with two-factor authentication on, asks for a code as well: none or a wrong one is refused, a current one deletes', async () => {
    const ann = await api.register();
    const enrolled = await api.call('POST', '/api/v1/auth/2fa/enroll', { token: ann.token, body: { password: PASSWORD } });
    const secret = base32Decode(enrolled.body.secret);
    expect((await api.call('POST', '/api/v1/auth/2fa/confirm', { token: ann.token, body: { code: totpAt(secret, clock) } })).status).toBe(200);
    clock += TOTP_STEP_MS; // the confirming code's step is used
    const before = await eventCount();
    const noCode = await deleteAccount(api, ann, { password: PASSWORD });
    expect(noCode.status).toBe(403);
    expect(noCode.body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    const wrong = ['123456', '654321'].find((guess) => ![-1, 0, 1].some((step) => totpAt(secret, clock + step * TOTP_STEP_MS) === guess))!;
    expect((await deleteAccount(api, ann, { password: PASSWORD, code: wrong })).body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    expect(await eventCount()).toBe(before);
    const deleted = await deleteAccount(api, ann, { password: PASSWORD, code: totpAt(secret, clock) });
    expect(deleted.status).toBe(202);
    expect(await eventsOf(ann.userId)).toContain('AccountDeletionRequested');
  });

  it('refuses bad input and another account with 4xx codes, appending nothing', async () => {
    const [ann, bob] = [await api.register(), await api.register()];
    const before = await eventCount();
    const cases: [unknown, string, number, string][] = [
      [{}, ann.username, 400, 'VALIDATION_FAILED'],
      [{ password: 42 }, ann.username, 400, 'VALIDATION_FAILED'],
      [{ password: PASSWORD, code: 123456 }, ann.username, 400, 'VALIDATION_FAILED'],
      [{ password: PASSWORD, extra: true }, ann.username, 400, 'VALIDATION_FAILED'],
      [{ password: '' }, ann.username, 400, 'VALIDATION_FAILED'],
      [{ password: PASSWORD }, 'no.such.user', 404, 'USER_NOT_FOUND'],
      [{ password: PASSWORD }, bob.username, 403, 'NOT_OWNER'],
      [{ password: PASSWORD }, 'Bad Name!', 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, username, status, code] of cases) {
      const response = await deleteAccount(api, ann, body, encodeURIComponent(username));
      expect([response.status, response.body.error.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await api.call('DELETE', `/api/v1/users/${ann.username}`, { body: { password: PASSWORD } })).status).toBe(401);
    expect((await api.call('POST', `/api/v1/users/no.such.user/restore`, { token: ann.token })).body.error.code).toBe('USER_NOT_FOUND');
    expect(await eventCount()).toBe(before);
  });
});

describe('the grace period', () => {
  let ann: User;
  let bob: User;
  let postId: string;
  let storyId: string;
  let eraseAfter: string;

  beforeAll(async () => {
    [ann, bob] = [await api.register(), await api.register()];
    postId = await api.createPost(ann);
    storyId = (await api.call('POST', '/api/v1/stories', { token: ann.token, body: { media: image } })).body.storyId;
    const deleted = await deleteAccount(api, ann, { password: PASSWORD });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ userId: ann.userId, username: ann.username, status: 'deleting', eraseAfter: expect.any(String), position: expect.any(String) });
    eraseAfter = deleted.body.eraseAfter;
    // The default grace: 30 days.
    expect(Date.parse(eraseAfter) - Date.now()).toBeGreaterThan(29 * 24 * 3600_000);
  });

  it('ended every session: the old access token and refresh token no longer work', async () => {
    expect((await api.call('GET', '/api/v1/auth/me', { token: ann.token })).status).toBe(401);
    const refreshed = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: ann.refreshToken } });
    expect(refreshed.status).toBe(401);
  });

  it('the owner logs in, shown the deletion; GET /auth/me shows it; a refresh works', async () => {
    const again = await logIn(api, ann);
    expect(again.deletion).toEqual({ eraseAfter });
    const me = await api.call('GET', '/api/v1/auth/me', { token: again.token });
    expect(me.body).toMatchObject({ userId: ann.userId, username: ann.username, deletion: { eraseAfter } });
    const refreshed = await api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: again.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await api.call('GET', '/api/v1/auth/sessions', { token: refreshed.body.accessToken })).status).toBe(200);
  });

  it('a second request keeps the first deadline', async () => {
    const again = await logIn(api, ann);
    const repeated = await deleteAccount(api, again, { password: PASSWORD });
    expect(repeated.status).toBe(202);
    expect(repeated.body.eraseAfter).toBe(eraseAfter);
    expect((await eventsOf(ann.userId)).filter((type) => type === 'AccountDeletionRequested')).toHaveLength(1);
  });

  it('every other write by the owner is 403 ACCOUNT_DELETION_PENDING, appending nothing', async () => {
    const owner = await logIn(api, ann);
    const before = await eventCount();
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/posts', { caption: 'still here', media: [image] }],
      ['PUT', `/api/v1/posts/${postId}`, { caption: 'edited' }],
      ['POST', `/api/v1/posts/${postId}/like`, undefined],
      ['POST', `/api/v1/posts/${postId}/comments`, { text: 'hi' }],
      ['POST', `/api/v1/posts/${postId}/bookmark`, undefined],
      ['POST', '/api/v1/stories', { media: image }],
      ['POST', `/api/v1/users/${bob.username}/follow`, undefined],
      ['POST', `/api/v1/users/${bob.username}/block`, undefined],
      ['PUT', `/api/v1/users/${ann.username}`, { bio: 'changed' }],
    ];
    for (const [method, url, body] of writes) {
      const response = await api.call(method as 'POST' | 'PUT', url, { token: owner.token, body });
      expect([response.status, response.body.error?.code], `${method} ${url}`).toEqual([403, 'ACCOUNT_DELETION_PENDING']);
    }
    expect(await eventCount()).toBe(before);
  });

  it('to everyone else the account is unknown: following it, liking, commenting, bookmarking its post, viewing its story are 404s', async () => {
    const before = await eventCount();
    const acts: [string, string, unknown, string][] = [
      ['POST', `/api/v1/users/${ann.username}/follow`, undefined, 'USER_NOT_FOUND'],
      ['POST', `/api/v1/users/${ann.username}/block`, undefined, 'USER_NOT_FOUND'],
      ['POST', `/api/v1/posts/${postId}/like`, undefined, 'POST_NOT_FOUND'],
      ['POST', `/api/v1/posts/${postId}/comments`, { text: 'hello' }, 'POST_NOT_FOUND'],
      ['POST', `/api/v1/posts/${postId}/bookmark`, undefined, 'POST_NOT_FOUND'],
      ['POST', `/api/v1/stories/${storyId}/view`, undefined, 'STORY_NOT_FOUND'],
      ['POST', `/api/v1/users/${ann.username}/restore`, undefined, 'USER_NOT_FOUND'],
      ['DELETE', `/api/v1/users/${ann.username}`, { password: PASSWORD }, 'USER_NOT_FOUND'],
    ];
    for (const [method, url, body, code] of acts) {
      const response = await api.call(method as 'POST' | 'DELETE', url, { token: bob.token, body });
      expect([response.status, response.body.error?.code], `${method} ${url}`).toEqual([404, code]);
    }
    expect(await eventCount()).toBe(before);
  });

  it('restoring (200) shows the account again: the owner writes, others follow and like', async () => {
    const owner = await logIn(api, ann);
    const restored = await restore(api, owner);
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ userId: ann.userId, username: ann.username, status: 'active', position: expect.any(String) });
    expect(await eventsOf(ann.userId)).toContain('AccountRestored');
    expect((await api.call('GET', '/api/v1/auth/me', { token: owner.token })).body.deletion).toBeNull();
    expect((await logIn(api, ann)).deletion).toBeNull();
    expect((await api.call('POST', '/api/v1/posts', { token: owner.token, body: { caption: 'back', media: [image] } })).status).toBe(201);
    expect((await api.call('PUT', `/api/v1/users/${ann.username}`, { token: owner.token, body: { bio: 'back' } })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/users/${ann.username}/follow`, { token: bob.token })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/posts/${postId}/like`, { token: bob.token })).status).toBe(200);
    // Restoring an active account changes nothing.
    const before = await eventCount();
    expect((await restore(api, owner)).status).toBe(200);
    expect(await eventCount()).toBe(before);
    // A stranger restoring a visible account that is not theirs: NOT_OWNER.
    expect((await restore(api, bob, ann.username)).body.error.code).toBe('NOT_OWNER');
  });
});

describe('the end of the grace period', () => {
  let short: TestApp;
  let client: ApiClient;
  beforeAll(async () => {
    short = await startTestApp({ accountDeletion: { graceMs: 1_000, erasureIntervalMs: 3_600_000 } });
    client = apiClient(short.app);
  });
  afterAll(() => short.close());

  it('a restore once eraseAfter has passed is 409 ACCOUNT_ERASURE_STARTED, appending nothing', async () => {
    const ann = await client.register();
    const deleted = await deleteAccount(client, ann, { password: PASSWORD });
    expect(deleted.status).toBe(202);
    const owner = await logIn(client, ann);
    while (Date.now() <= Date.parse(deleted.body.eraseAfter)) await new Promise((resolve) => setTimeout(resolve, 50));
    const before = (await short.allEvents()).length;
    const late = await restore(client, owner);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ACCOUNT_ERASURE_STARTED');
    expect((await short.allEvents()).length).toBe(before);
  });
});
