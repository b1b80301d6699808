import { describe, expect, it } from 'vitest';
import type { Revocation, SessionStore } from '../../../commands/accounts/session-store.js';
import { createSessions, deviceOf, DEVICE_MAX_LENGTH } from '../../../commands/accounts/sessions.js';
import { createTokenService } from '../../../commands/accounts/tokens.js';

// Rule: a revoked session's access tokens are refused at once, from memory while the revocation
// channel listens (no database round trip), from the database while it is down (fail closed); a
// starting process knows the revocations younger than the access-token TTL.

const TTL = 15 * 60_000;
const SECRET = 'a-test-secret-that-is-at-least-32-characters';

/** A store that answers revocations only: every other call is not this test's. */
const fakeStore = (recent: Revocation[] = []) => {
  let handlers: Parameters<SessionStore['listen']>[0] | null = null;
  const databaseAsked: string[] = [];
  const revokedInDatabase = new Set<string>(recent.map((r) => r.sessionId));
  const store = new Proxy({} as SessionStore, {
    get: (_target, name) => {
      if (name === 'purgeEnded') return async () => 0;
      if (name === 'revokedSince') return async (since: Date) => recent.filter((r) => r.revokedAt >= since);
      if (name === 'isRevoked')
        return async (sessionId: string) => {
          databaseAsked.push(sessionId);
          return revokedInDatabase.has(sessionId);
        };
      if (name === 'listen')
        return async (given: typeof handlers) => {
          handlers = given;
          given!.onUp();
          return async () => undefined;
        };
      throw new Error(`${String(name)} is not used here`);
    },
  });
  return { store, databaseAsked, revokedInDatabase, channel: () => handlers! };
};

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the revocation check', () => {
  it('answers from memory while the channel listens: a session revoked in another process is refused as soon as it is heard of', async () => {
    const { store, databaseAsked, channel } = fakeStore();
    const sessions = await createSessions(store, createTokenService(SECRET), { accessTokenTtlMs: TTL, refreshTokenTtlMs: 30 * TTL });
    expect(sessions.isRevoked('s1')).toBe(false); // a boolean: no promise, no query
    channel().onRevoked({ sessionId: 's1', userId: 'u1', revokedAt: new Date() });
    expect(sessions.isRevoked('s1')).toBe(true);
    expect(databaseAsked).toEqual([]);
  });

  it('knows, as it starts, the revocations younger than the access-token TTL', async () => {
    const now = Date.now();
    const { store } = fakeStore([
      { sessionId: 'recent', userId: 'u', revokedAt: new Date(now - TTL + 60_000) },
      { sessionId: 'old', userId: 'u', revokedAt: new Date(now - TTL - 60_000) },
    ]);
    const sessions = await createSessions(store, createTokenService(SECRET), { accessTokenTtlMs: TTL, refreshTokenTtlMs: 30 * TTL });
    expect(sessions.isRevoked('recent')).toBe(true);
    // Its tokens have all expired: no need to remember it.
    expect(sessions.isRevoked('old')).toBe(false);
  });

  it('fails closed while the channel is down: each check asks the database, and memory again once it listens and has reloaded', async () => {
    const { store, databaseAsked, revokedInDatabase, channel } = fakeStore();
    const sessions = await createSessions(store, createTokenService(SECRET), { accessTokenTtlMs: TTL, refreshTokenTtlMs: 30 * TTL });
    channel().onDown();
    revokedInDatabase.add('missed'); // revoked elsewhere while nobody heard
    expect(await sessions.isRevoked('missed')).toBe(true);
    expect(await sessions.isRevoked('live')).toBe(false);
    expect(databaseAsked).toEqual(['missed', 'live']);
    channel().onUp();
    await flush();
    expect(sessions.isRevoked('live')).toBe(false);
    expect(databaseAsked).toHaveLength(2);
  });

  it('tells a waiting stream once when its session is revoked, and not for another session', async () => {
    const { store, channel } = fakeStore();
    const sessions = await createSessions(store, createTokenService(SECRET), { accessTokenTtlMs: TTL, refreshTokenTtlMs: 30 * TTL });
    const heard: string[] = [];
    sessions.onRevoked('s1', () => heard.push('s1'));
    const stop = sessions.onRevoked('s2', () => heard.push('s2'));
    stop();
    channel().onRevoked({ sessionId: 's1', userId: 'u', revokedAt: new Date() });
    channel().onRevoked({ sessionId: 's1', userId: 'u', revokedAt: new Date() });
    channel().onRevoked({ sessionId: 's2', userId: 'u', revokedAt: new Date() });
    expect(heard).toEqual(['s1']);
  });
});

describe('the device a session shows', () => {
  it('is the User-Agent, printable and bounded', () => {
    expect(deviceOf('Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0')).toBe('Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    expect(deviceOf(undefined)).toBe('unknown device');
    expect(deviceOf('\u0000\u001b[31m')).toBe('[31m');
    expect(deviceOf('x'.repeat(10_000))).toHaveLength(DEVICE_MAX_LENGTH);
  });
});
