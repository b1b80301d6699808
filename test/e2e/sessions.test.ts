import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { apiClient } from '../support/api-client.js';
import { connectEventStream } from '../support/sse-client.js';
import { startTestApp, useTestApp } from '../support/test-app.js';

// Sessions through the HTTP API (commands/accounts/sessions.ts): what login hands out, refresh
// rotation and reuse detection, the sessions list, ending one, logout and logout everywhere, each
// refusing the ended session's access tokens at once.

const { t, api } = useTestApp();
const PASSWORD = 'correct horse battery';
const login = (username: string, userAgent = 'TestPhone/1.0 (sessions test)') =>
  api.call('POST', '/api/v1/users/login', { body: { username, password: PASSWORD }, headers: { 'user-agent': userAgent } });
const refresh = (refreshToken: string) => api.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const me = (token: string) => api.call('GET', '/api/v1/feed/home', { token });

describe('sessions', () => {
  it('login answers a short access token, a refresh token and the session; only a hash of the refresh token is stored', async () => {
    const alice = await api.register();
    const answer = await login(alice.username);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'deletion', 'refreshToken', 'sessionId', 'userId', 'username']);
    expect(answer.body.deletion).toBeNull();
    const ttl = Date.parse(answer.body.accessTokenExpiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
    expect(answer.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    const { rows } = await t.db.pool.query<{ token_hash: Buffer }>(
      'select token_hash from refresh_tokens where session_id = $1',
      [answer.body.sessionId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash.toString('base64url')).not.toBe(answer.body.refreshToken);
    expect(JSON.stringify(await t.db.pool.query('select * from sessions'))).not.toContain(answer.body.refreshToken);
  });

  it('refresh rotates: a new pair that works; the old refresh token again ends the session, its access tokens with it', async () => {
    const bob = await api.register();
    const first = (await login(bob.username)).body;
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ userId: bob.userId, username: bob.username, sessionId: first.sessionId });
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.body.accessToken)).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);

    // The first refresh token again: someone holds a copy. The whole family ends.
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(third.body.refreshToken)).body.error.code).toBe('INVALID_REFRESH_TOKEN');
    for (const token of [first.accessToken, second.body.accessToken, third.body.accessToken]) expect((await me(token)).status).toBe(401);
    // Other sessions of bob's are untouched.
    expect((await me(bob.token)).status).toBe(200);
  });

  it('refuses an unknown refresh token and malformed bodies with stable codes, appending nothing', async () => {
    const before = (await t.allEvents()).length;
    expect((await refresh('never-issued')).body.error.code).toBe('INVALID_REFRESH_TOKEN');
    for (const body of [{}, { refreshToken: '' }, { refreshToken: 'x'.repeat(129) }, { refreshToken: 7 }, { refreshToken: 'a', more: 1 }]) {
      const refused = await api.call('POST', '/api/v1/auth/refresh', { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await t.allEvents()).length).toBe(before);
  });

  it("lists the caller's sessions with device, address, times and which is current; ends one of them, not another's", async () => {
    const carol = await api.register();
    const phone = (await login(carol.username, 'CarolPhone/2.0')).body;
    const laptop = (await login(carol.username, 'CarolLaptop/3.0')).body;
    const listed = await api.call('GET', '/api/v1/auth/sessions', { token: laptop.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(3);
    const byId = Object.fromEntries(listed.body.items.map((s: { sessionId: string }) => [s.sessionId, s]));
    expect(byId[laptop.sessionId]).toMatchObject({ device: 'CarolLaptop/3.0', address: '127.0.0.1', current: true, createdAt: expect.any(String), lastUsedAt: expect.any(String) });
    expect(byId[phone.sessionId]).toMatchObject({ device: 'CarolPhone/2.0', current: false });

    // Someone else's session id is unknown to carol.
    const dave = await api.register();
    const notHers = await api.call('DELETE', `/api/v1/auth/sessions/${dave.sessionId}`, { token: laptop.accessToken });
    expect(notHers.status).toBe(404);
    expect(notHers.body.error.code).toBe('SESSION_NOT_FOUND');
    expect((await me(dave.token)).status).toBe(200);

    expect((await api.call('DELETE', `/api/v1/auth/sessions/${phone.sessionId}`, { token: laptop.accessToken })).status).toBe(204);
    expect((await me(phone.accessToken)).status).toBe(401);
    expect((await refresh(phone.refreshToken)).body.error.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await api.call('DELETE', `/api/v1/auth/sessions/${phone.sessionId}`, { token: laptop.accessToken })).status).toBe(404);
    const after = await api.call('GET', '/api/v1/auth/sessions', { token: laptop.accessToken });
    expect(after.body.items.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([carol.sessionId, laptop.sessionId].sort());
  });

  it('logout ends the session asking, at once; logout-all ends every one', async () => {
    const erin = await api.register();
    const other = (await login(erin.username)).body;
    expect((await api.call('POST', '/api/v1/auth/logout', { token: erin.token })).status).toBe(204);
    expect((await me(erin.token)).status).toBe(401);
    expect((await refresh(erin.refreshToken)).body.error.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await me(other.accessToken)).status).toBe(200);

    const third = (await login(erin.username)).body;
    const all = await api.call('POST', '/api/v1/auth/logout-all', { token: third.accessToken });
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ ended: 2 });
    for (const token of [other.accessToken, third.accessToken]) expect((await me(token)).status).toBe(401);
    // A new login still works.
    expect((await me((await login(erin.username)).body.accessToken)).status).toBe(200);
  });

  it('checks revocation without a database query per request', async () => {
    const frank = await api.register();
    const queries: string[] = [];
    const pool = t.platform.pool;
    const original = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof pool.query>) => {
      queries.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text));
      return original(...args);
    }) as typeof pool.query;
    try {
      expect((await me(frank.token)).status).toBe(200);
    } finally {
      pool.query = original;
    }
    expect(queries.filter((text) => /sessions/.test(text))).toEqual([]);
  });

  it('answers the same 401 for a token after its session ended as for a forged one', async () => {
    const gina = await api.register();
    await api.call('POST', '/api/v1/auth/logout', { token: gina.token });
    const revoked = await me(gina.token);
    const forged = await me(`${gina.token.slice(0, -2)}xx`);
    expect([revoked.status, revoked.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    expect([forged.status, forged.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
  });
});

describe('an event stream and its access token', () => {
  it('ends when the access token that asked for its ticket expires, and a refreshed token opens the next', async () => {
    const short = await startTestApp({ sessions: { accessTokenTtlMs: 5_000 } });
    try {
      const client = apiClient(short.app);
      await short.app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(short.app.server.address() as AddressInfo).port}`;
      const hana = await client.register();
      const { ticket } = (await client.call('POST', '/api/v1/auth/stream-ticket', { token: hana.token })).body;
      const stream = await connectEventStream(`${base}/api/v1/stream?ticket=${encodeURIComponent(ticket)}`);
      expect(stream.status).toBe(200);
      expect(await stream.nextEvent()).toBeNull(); // ended by the server, not by a timeout of the test
      expect((await client.call('GET', '/api/v1/feed/home', { token: hana.token })).status).toBe(401);
      const renewed = await client.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: hana.refreshToken } });
      expect(renewed.status).toBe(200);
      expect((await client.call('POST', '/api/v1/auth/stream-ticket', { token: renewed.body.accessToken })).status).toBe(201);
    } finally {
      await short.close();
    }
  });
});
