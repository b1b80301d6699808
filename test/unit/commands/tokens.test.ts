import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenService, DEFAULT_ACCESS_TOKEN_TTL_MS, keyIdOf } from '../../../commands/accounts/tokens.js';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';
const OLDER = 'an-older-secret-that-is-at-least-32-characters';
const claims = { userId: '0190a0a0-0000-7000-8000-000000000001', username: 'alice', sessionId: '0190a0a0-0000-7000-8000-0000000000aa' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signWith = (secret: string, header: unknown, payload: unknown) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};
const issue = async (tokens: ReturnType<typeof createTokenService>) => (await tokens.issue(claims)).token;
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;

describe('access tokens', () => {
  it('verifies what it issued, with its session and expiry', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createTokenService(SECRET, () => now);
    const { token, expiresAt } = await tokens.issue(claims);
    expect(expiresAt.getTime()).toBe(now + DEFAULT_ACCESS_TOKEN_TTL_MS);
    expect(await tokens.verify(token)).toEqual({ ...claims, expiresAtMs: now + DEFAULT_ACCESS_TOKEN_TTL_MS });
  });

  it('refuses a token it verified before once it has expired, and hands out a copy its caller cannot change', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createTokenService(SECRET, () => now);
    const token = await issue(tokens);
    const first = await tokens.verify(token);
    first!.userId = 'someone else';
    expect(await tokens.verify(token)).toMatchObject({ userId: claims.userId });
    now += DEFAULT_ACCESS_TOKEN_TTL_MS;
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    const other = createTokenService('another-secret-that-is-at-least-32-characters');
    expect(await createTokenService(SECRET).verify(await issue(other))).toBeNull();
  });

  it('never signs with an empty or short key, and refuses a token signed with the empty key', async () => {
    expect(() => createTokenService('')).toThrow(/at least 32 bytes/);
    expect(() => createTokenService('x'.repeat(31))).toThrow(/at least 32 bytes/);
    expect(() => createTokenService([SECRET, 'short'])).toThrow(/at least 32 bytes/);
    expect(() => createTokenService([])).toThrow(/at least one/);
    const payload = { sub: claims.userId, username: claims.username, sid: claims.sessionId, iss: 'instagram-es', exp: 9e9 };
    expect(await createTokenService(SECRET).verify(signWith('', { alg: 'HS256', typ: 'JWT', kid: keyIdOf('') }, payload))).toBeNull();
  });

  it('refuses a tampered payload', async () => {
    const tokens = createTokenService(SECRET);
    const [header, , signature] = (await issue(tokens)).split('.');
    const forged = `${header}.${b64({ sub: 'someone-else', username: 'mallory', sid: claims.sessionId, iss: 'instagram-es', exp: 9e9 })}.${signature}`;
    expect(await tokens.verify(forged)).toBeNull();
  });

  it('refuses the "none" algorithm and any header it did not issue (no kid, another spelling)', async () => {
    const tokens = createTokenService(SECRET);
    const payload = { sub: claims.userId, username: 'alice', sid: claims.sessionId, iss: 'instagram-es', exp: 9e9 };
    expect(await tokens.verify(`${b64({ alg: 'none' })}.${b64(payload)}.`)).toBeNull();
    expect(await tokens.verify(signWith(SECRET, { alg: 'HS256', typ: 'JWT' }, payload))).toBeNull();
    expect(await tokens.verify(signWith(SECRET, { typ: 'JWT', alg: 'HS256', kid: keyIdOf(SECRET) }, payload))).toBeNull();
    // The exact header, signed by the key: accepted (the check above is the header's, not the key's).
    expect(await tokens.verify(signWith(SECRET, { alg: 'HS256', typ: 'JWT', kid: keyIdOf(SECRET) }, payload))).not.toBeNull();
  });

  it('refuses a token without a session id: the revocation check needs one', async () => {
    const payload = { sub: claims.userId, username: 'alice', iss: 'instagram-es', exp: 9e9 };
    expect(await createTokenService(SECRET).verify(signWith(SECRET, { alg: 'HS256', typ: 'JWT', kid: keyIdOf(SECRET) }, payload))).toBeNull();
  });

  it('refuses an expired token, by the clock and TTL it is given', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createTokenService(SECRET, () => now, 60_000);
    const token = await issue(tokens);
    now += 59_000;
    expect(await tokens.verify(token)).toMatchObject(claims);
    now += 2000;
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses garbage', async () => {
    const tokens = createTokenService(SECRET);
    for (const junk of ['', 'a.b', 'a.b.c', 'x'.repeat(500), '...']) expect(await tokens.verify(junk)).toBeNull();
  });
});

// Rule: tokens carry the id of the key that signed them; the first key of JWT_SECRETS signs, any
// listed key verifies its own tokens, and a key taken off the list takes its tokens with it.
describe('signing keys', () => {
  it('signs with the first key and names it in the header', async () => {
    const token = await issue(createTokenService([SECRET, OLDER]));
    expect(headerOf(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: keyIdOf(SECRET) });
    expect(await createTokenService([SECRET]).verify(token)).toMatchObject(claims);
  });

  it('keeps tokens of an older key valid while it is listed (rotation logs no one out), and refuses them once it is gone', async () => {
    const before = await issue(createTokenService([OLDER]));
    expect(await createTokenService([SECRET, OLDER]).verify(before)).toMatchObject(claims);
    expect(await createTokenService([SECRET]).verify(before)).toBeNull();
  });

  it('derives a stable key id from the key, which differs between keys and does not reveal the key', () => {
    expect(keyIdOf(SECRET)).toBe(keyIdOf(SECRET));
    expect(keyIdOf(SECRET)).not.toBe(keyIdOf(OLDER));
    expect(keyIdOf(SECRET)).not.toContain(SECRET.slice(0, 8));
    expect(keyIdOf(SECRET)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('refuses a token whose kid names a listed key but whose signature is another key\'s', async () => {
    const payload = { sub: claims.userId, username: 'alice', sid: claims.sessionId, iss: 'instagram-es', exp: 9e9 };
    const tokens = createTokenService([SECRET, OLDER]);
    expect(await tokens.verify(signWith(SECRET, { alg: 'HS256', typ: 'JWT', kid: keyIdOf(OLDER) }, payload))).toBeNull();
  });
});

describe('access token signatures', () => {
  it('accepts only the canonical spelling of a signature', async () => {
    const tokens = createTokenService(SECRET);
    const token = await issue(tokens);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // The last base64url character of a 32-byte signature carries 4 unused bits: flip one.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const variant = `${header}.${payload}.${signature.slice(0, -1)}${sibling}`;
    expect(Buffer.from(variant.split('.')[2]!, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
    expect(await tokens.verify(variant)).toBeNull();
    expect(await tokens.verify(`${token}=`)).toBeNull();
  });
});
