import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const { t, api } = useTestApp();

describe('accounts over HTTP', () => {
  it('registers, answers with the user id, a session and a position, and appends the reservation and the user', async () => {
    const response = await api.call('POST', '/api/v1/users/register', {
      body: { username: 'Alice', email: 'alice@example.com', password: 'correct horse battery', displayName: 'Alice A.' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ username: 'alice', userId: expect.any(String), accessToken: expect.any(String), refreshToken: expect.any(String), sessionId: expect.any(String) });
    expect(response.body).not.toHaveProperty('token');
    expect(typeof response.body.position).toBe('string');
    const events = await t.allEvents();
    expect(events.filter((e) => e.streamId === 'username-alice').map((e) => e.type)).toEqual(['UsernameReserved']);
    expect(events.filter((e) => e.streamId === `user-${response.body.userId}`).map((e) => e.type)).toEqual(['UserRegistered']);
  });

  it('keeps secrets out of the log: no password, hash or email in any event', async () => {
    await api.register('secretive', { password: 'my very secret password' });
    const { rows } = await t.db.pool.query('select data, metadata from events');
    const text = JSON.stringify(rows);
    expect(text).not.toContain('my very secret password');
    expect(text).not.toContain('secretive@example.com');
    expect(text).not.toContain('scrypt$');
  });

  it('refuses a taken username (any case) and a taken email with 409, appending nothing', async () => {
    await api.register('bob');
    const before = (await t.allEvents()).length;
    const sameName = await api.call('POST', '/api/v1/users/register', {
      body: { username: 'BOB', email: 'other@example.com', password: 'correct horse battery' },
    });
    expect(sameName.status).toBe(409);
    expect(sameName.body.error.code).toBe('USERNAME_TAKEN');
    const sameEmail = await api.call('POST', '/api/v1/users/register', {
      body: { username: 'bobby', email: 'BOB@example.com', password: 'correct horse battery' },
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.code).toBe('EMAIL_TAKEN');
    expect((await t.allEvents()).length).toBe(before);
  });

  it('lets exactly one of many concurrent registrations of one username win', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', '/api/v1/users/register', {
          body: { username: 'contested', email: `contested${i}@example.com`, password: 'correct horse battery' },
        }),
      ),
    );
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409).every((r) => r.body.error.code === 'USERNAME_TAKEN')).toBe(true);
    const login = await api.call('POST', '/api/v1/users/login', { body: { username: 'contested', password: 'correct horse battery' } });
    expect(login.status).toBe(200);
  });

  it('logs in by username or email and refuses a wrong password with 401', async () => {
    const carol = await api.register('carol');
    const byName = await api.call('POST', '/api/v1/users/login', { body: { username: 'Carol', password: 'correct horse battery' } });
    expect(byName.status).toBe(200);
    expect(byName.body.userId).toBe(carol.userId);
    const byEmail = await api.call('POST', '/api/v1/users/login', { body: { email: 'carol@example.com', password: 'correct horse battery' } });
    expect(byEmail.body.userId).toBe(carol.userId);
    const wrong = await api.call('POST', '/api/v1/users/login', { body: { username: 'carol', password: 'wrong password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const unknown = await api.call('POST', '/api/v1/users/login', { body: { username: 'nobody', password: 'wrong password' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('updates one\'s own profile and privacy, and refuses another user\'s profile with 403', async () => {
    const dave = await api.register('dave');
    const erin = await api.register('erin');
    const updated = await api.call('PUT', '/api/v1/users/dave', { token: dave.token, body: { bio: 'hi', private: true } });
    expect(updated.status).toBe(200);
    const types = (await t.allEvents()).filter((e) => e.streamId === `user-${dave.userId}`).map((e) => e.type);
    expect(types).toEqual(['UserRegistered', 'ProfileUpdated', 'PrivacyChanged']);
    const unchanged = await api.call('PUT', '/api/v1/users/dave', { token: dave.token, body: { bio: 'hi', private: true } });
    expect(unchanged.status).toBe(200);
    expect((await t.allEvents()).filter((e) => e.streamId === `user-${dave.userId}`)).toHaveLength(3);
    const other = await api.call('PUT', '/api/v1/users/dave', { token: erin.token, body: { bio: 'pwned' } });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('NOT_OWNER');
  });

  it('answers 401 without a token or with a forged one', async () => {
    const none = await api.call('POST', '/api/v1/posts', { body: { caption: 'x', media: [{ url: 'https://a.b/c.jpg', type: 'image' }] } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    const forged = await api.call('POST', '/api/v1/posts', {
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      body: { caption: 'x', media: [{ url: 'https://a.b/c.jpg', type: 'image' }] },
    });
    expect(forged.status).toBe(401);
  });
});
