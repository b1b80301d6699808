import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../../commands/accounts/tokens.js';

const SECRET = 'a-test-secret-that-is-at-least-32-characters';
const claims = { userId: '0190a0a0-0000-7000-8000-000000000001', username: 'alice' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signWith = (secret: string, header: unknown, payload: unknown) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

describe('access tokens', () => {
  it('verifies what it issued', async () => {
    const tokens = createTokenService(SECRET);
    expect(await tokens.verify(await tokens.issue(claims))).toEqual(claims);
  });

  it('refuses a token signed with another secret', async () => {
    const other = createTokenService('another-secret-that-is-at-least-32-characters');
    expect(await createTokenService(SECRET).verify(await other.issue(claims))).toBeNull();
  });

  it('never signs with an empty or short key, and refuses a token signed with the empty key', async () => {
    expect(() => createTokenService('')).toThrow(/at least 32 bytes/);
    expect(() => createTokenService('x'.repeat(31))).toThrow(/at least 32 bytes/);
    const forged = signWith('', { alg: 'HS256', typ: 'JWT' }, { sub: claims.userId, username: claims.username, iss: 'instagram-es', exp: 9e9 });
    expect(await createTokenService(SECRET).verify(forged)).toBeNull();
  });

  it('refuses a tampered payload', async () => {
    const tokens = createTokenService(SECRET);
    const [header, , signature] = (await tokens.issue(claims)).split('.');
    const forged = `${header}.${b64({ sub: 'someone-else', username: 'mallory', iss: 'instagram-es', exp: 9e9 })}.${signature}`;
    expect(await tokens.verify(forged)).toBeNull();
  });

  it('refuses the "none" algorithm and any header it did not issue', async () => {
    const tokens = createTokenService(SECRET);
    const payload = { sub: claims.userId, username: 'alice', iss: 'instagram-es', exp: 9e9 };
    expect(await tokens.verify(`${b64({ alg: 'none' })}.${b64(payload)}.`)).toBeNull();
    expect(await tokens.verify(signWith(SECRET, { alg: 'HS256' }, payload))).toBeNull();
  });

  it('refuses an expired token, by the clock it is given', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = createTokenService(SECRET, () => now);
    const token = await tokens.issue(claims);
    now += 7 * 24 * 3600_000 - 1000;
    expect(await tokens.verify(token)).toEqual(claims);
    now += 2000;
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses garbage', async () => {
    const tokens = createTokenService(SECRET);
    for (const junk of ['', 'a.b', 'a.b.c', 'x'.repeat(500), '...']) expect(await tokens.verify(junk)).toBeNull();
  });
});

describe('access token signatures', () => {
  it('accepts only the canonical spelling of a signature', async () => {
    const tokens = createTokenService(SECRET);
    const token = await tokens.issue(claims);
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
