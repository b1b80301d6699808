import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

const { t, api } = useTestApp();
let alice: User;
beforeAll(async () => {
  alice = await api.register('alice');
});

const postBody = { caption: 'once #only', media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }] };
const createPost = (key: string, body: unknown = postBody, user = alice) =>
  api.call('POST', '/api/v1/posts', { token: user.token, body, headers: { 'idempotency-key': key } });
const postsCreated = async () => (await t.allEvents()).filter((e) => e.type === 'PostCreated').length;

describe('Idempotency-Key', () => {
  it('a repeat with the same key and body returns the first response and appends nothing', async () => {
    const before = await postsCreated();
    const first = await createPost('key-1');
    const repeat = await createPost('key-1');
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(await postsCreated()).toBe(before + 1);
  });

  it('concurrent repeats create exactly one post and all get the same answer', async () => {
    const before = await postsCreated();
    const responses = await Promise.all(Array.from({ length: 12 }, () => createPost('key-concurrent')));
    expect(responses.every((r) => r.status === 201)).toBe(true);
    expect(new Set(responses.map((r) => r.body.postId)).size).toBe(1);
    expect(await postsCreated()).toBe(before + 1);
  });

  it('the same key with another body is refused with 422 and appends nothing', async () => {
    await createPost('key-2');
    const before = await postsCreated();
    const other = await createPost('key-2', { ...postBody, caption: 'different' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await postsCreated()).toBe(before);
  });

  it('keys are per caller: the same key from two users creates two posts', async () => {
    const bob = await api.register('bob');
    const before = await postsCreated();
    const a = await createPost('shared-key');
    const b = await createPost('shared-key', postBody, bob);
    expect(a.body.postId).not.toBe(b.body.postId);
    expect(await postsCreated()).toBe(before + 2);
  });

  it('a refused command is replayed as refused too, and registration is idempotent before login', async () => {
    const tooManyTags = { ...postBody, caption: Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ') };
    const first = await createPost('key-bad', tooManyTags);
    expect(first.status).toBe(400);
    const repeat = await createPost('key-bad', tooManyTags);
    expect(repeat.status).toBe(400);
    expect(repeat.body).toEqual(first.body);

    const body = { username: 'carol', email: 'carol@example.com', password: 'correct horse battery' };
    const headers = { 'idempotency-key': 'register-carol' };
    const registered = await api.call('POST', '/api/v1/users/register', { body, headers });
    const again = await api.call('POST', '/api/v1/users/register', { body, headers });
    expect(again.status).toBe(201);
    expect(again.body.userId).toBe(registered.body.userId);
  });

  it('refuses a malformed key with 400', async () => {
    const response = await createPost('with spaces are not allowed');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });

  it('keeps no token and no password-derived hash for a register; a replay proves the password and gets a fresh, working session', async () => {
    const body = { username: 'dora', email: 'dora@example.com', password: 'correct horse battery' };
    const headers = { 'idempotency-key': 'register-dora' };
    const registered = await api.call('POST', '/api/v1/users/register', { body, headers });
    expect(registered.status).toBe(201);
    const { rows } = await t.db.pool.query<{ fingerprint: string; body: string }>(`select fingerprint, body from idempotency_keys where key = 'register-dora'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).not.toContain(registered.body.accessToken);
    expect(rows[0]!.body).not.toContain(registered.body.refreshToken);
    for (const field of ['accessToken', 'refreshToken', 'accessTokenExpiresAt', 'sessionId']) expect(JSON.parse(rows[0]!.body)).not.toHaveProperty(field);
    // The fingerprint is the same whatever the password: it is not derived from it.
    const { createHash } = await import('node:crypto');
    const withPassword = createHash('sha256').update(`POST /api/v1/users/register\n${JSON.stringify(body)}`).digest('base64url');
    expect(rows[0]!.fingerprint).not.toBe(withPassword);

    const again = await api.call('POST', '/api/v1/users/register', { body, headers });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.userId).toBe(registered.body.userId);
    // At the registration's position: the profile read model may not have applied it yet.
    const me = await api.call('GET', `/api/v1/users/${body.username}?minPosition=${encodeURIComponent(registered.body.position)}`, { token: again.body.accessToken });
    expect(me.status).toBe(200);
    // A session of its own: a new one, not the first's again.
    expect(again.body.sessionId).not.toBe(registered.body.sessionId);
    expect(again.body.refreshToken).not.toBe(registered.body.refreshToken);

    const wrongPassword = await api.call('POST', '/api/v1/users/register', { body: { ...body, password: 'another password entirely' }, headers });
    expect(wrongPassword.status).toBe(422);
    expect(wrongPassword.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(wrongPassword.body).not.toHaveProperty('accessToken');
  });
});
