import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSessionStore } from '../../commands/accounts/session-store-postgres.js';
import type { Revocation, SessionStore } from '../../commands/accounts/session-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The session store on the real PostgreSQL: refresh-token families, rotation and reuse, revocation
// and its announcement to every listener, stream tickets.

const hash = (label: string) => Buffer.from(label.padEnd(32, '.'));
const at = (minutes: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + minutes * 60_000);
const later = at(60 * 24 * 30);

describe('the PostgreSQL session store', () => {
  let db: TestDatabase;
  let store: SessionStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresSessionStore(db.pool, { reconnectDelayMs: 50 });
  });
  afterAll(() => db?.drop());

  const newSession = async (userId = randomUUID(), token = randomUUID()) => {
    const sessionId = randomUUID();
    await store.create({ sessionId, userId, username: 'alice', device: 'Firefox', address: '203.0.113.1', refreshTokenHash: hash(token), now: at(0), expiresAt: later });
    return { sessionId, userId, token };
  };

  it('rotates the current refresh token once: the next one works, the old one again revokes the whole session', async () => {
    const { sessionId, userId, token } = await newSession();
    const first = await store.rotate({ presentedHash: hash(token), nextHash: hash(`${token}-2`), address: '198.51.100.9', now: at(10), expiresAt: later });
    expect(first).toMatchObject({ outcome: 'rotated', session: { sessionId, userId, address: '198.51.100.9', lastUsedAt: at(10) } });
    const second = await store.rotate({ presentedHash: hash(`${token}-2`), nextHash: hash(`${token}-3`), address: '198.51.100.9', now: at(20), expiresAt: later });
    expect(second.outcome).toBe('rotated');
    // The first token again: theft. The session ends, the current token with it.
    expect(await store.rotate({ presentedHash: hash(token), nextHash: hash(`${token}-x`), address: 'x', now: at(30), expiresAt: later })).toEqual({ outcome: 'reused', sessionId, userId });
    expect(await store.rotate({ presentedHash: hash(`${token}-3`), nextHash: hash(`${token}-4`), address: 'x', now: at(31), expiresAt: later })).toEqual({ outcome: 'invalid' });
    expect(await store.isRevoked(sessionId)).toBe(true);
    expect(await store.list(userId, at(32))).toEqual([]);
  });

  it('lets two refreshes racing with one token rotate once: the other is taken as reuse', async () => {
    const { token } = await newSession();
    const outcomes = await Promise.all(
      [1, 2].map((n) => store.rotate({ presentedHash: hash(token), nextHash: hash(`${token}-race-${n}`), address: 'x', now: at(5), expiresAt: later })),
    );
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['reused', 'rotated']);
  });

  it('refuses an unknown token and an expired session', async () => {
    expect(await store.rotate({ presentedHash: hash('never'), nextHash: hash('n'), address: 'x', now: at(1), expiresAt: later })).toEqual({ outcome: 'invalid' });
    const { token } = await newSession();
    expect((await store.rotate({ presentedHash: hash(token), nextHash: hash('n2'), address: 'x', now: new Date(later.getTime() + 1), expiresAt: later })).outcome).toBe('invalid');
  });

  it("lists a user's live sessions, most recently used first, and ends one, all, or all but one", async () => {
    const userId = randomUUID();
    const a = await newSession(userId);
    const b = await newSession(userId);
    const c = await newSession(userId);
    const stranger = await newSession();
    await store.rotate({ presentedHash: hash(b.token), nextHash: hash(`${b.token}-2`), address: 'x', now: at(3), expiresAt: later });
    expect((await store.list(userId, at(4))).map((s) => s.sessionId)[0]).toBe(b.sessionId);
    expect((await store.list(userId, at(4))).map((s) => s.sessionId).sort()).toEqual([a.sessionId, b.sessionId, c.sessionId].sort());

    // Someone else's session is not the owner's to end.
    expect(await store.revoke(stranger.sessionId, at(5), userId)).toBeNull();
    expect(await store.revoke(a.sessionId, at(5), userId)).toEqual({ sessionId: a.sessionId, userId, revokedAt: at(5) });
    expect(await store.revoke(a.sessionId, at(6))).toBeNull(); // ended already
    expect(await store.revoke('not-a-uuid', at(6))).toBeNull();

    const ended = await store.revokeAll(userId, at(7), { except: c.sessionId });
    expect(ended.map((r) => r.sessionId)).toEqual([b.sessionId]);
    expect((await store.list(userId, at(8))).map((s) => s.sessionId)).toEqual([c.sessionId]);
    expect((await store.revokeAll(userId, at(9))).map((r) => r.sessionId)).toEqual([c.sessionId]);
    expect(await store.isRevoked(stranger.sessionId)).toBe(false);
    expect(await store.isRevoked(randomUUID())).toBe(true); // never issued
  });

  it('loads the revocations since a moment (what a starting process needs)', async () => {
    const { sessionId } = await newSession();
    await store.revoke(sessionId, at(100));
    const since = await store.revokedSince(at(99));
    expect(since.map((r) => r.sessionId)).toContain(sessionId);
    expect((await store.revokedSince(at(101))).map((r) => r.sessionId)).not.toContain(sessionId);
  });

  it('announces each revocation to every listener, once it commits', async () => {
    const heard: Revocation[] = [];
    const other = await createPostgresSessionStore(db.pool);
    let up = 0;
    const stop = await other.listen({ onRevoked: (r) => heard.push(r), onUp: () => up++, onDown: () => undefined });
    expect(up).toBe(1);
    const userId = randomUUID();
    const one = await newSession(userId);
    const two = await newSession(userId);
    await store.revoke(one.sessionId, at(1));
    await store.revokeAll(userId, at(2));
    await expect.poll(() => heard.map((r) => r.sessionId)).toEqual([one.sessionId, two.sessionId]);
    expect(heard[0]).toEqual({ sessionId: one.sessionId, userId, revokedAt: at(1) });
    await stop();
  });

  it('listens again after its connection is cut, saying so (down, then up)', async () => {
    const events: string[] = [];
    const stop = await store.listen({ onRevoked: () => undefined, onUp: () => events.push('up'), onDown: () => events.push('down') });
    await db.pool.query(`select pg_terminate_backend(pid) from pg_stat_activity where query like 'listen "sessions.%' and pid <> pg_backend_pid()`);
    await expect.poll(() => events, { timeout: 5_000 }).toEqual(['up', 'down', 'up']);
    await stop();
  });

  it('purges sessions expired, or revoked before the bound, and keeps the others', async () => {
    const live = await newSession();
    const recentlyRevoked = await newSession();
    const longRevoked = await newSession();
    await store.revoke(recentlyRevoked.sessionId, at(50));
    await store.revoke(longRevoked.sessionId, at(10));
    const expired = randomUUID();
    await store.create({ sessionId: expired, userId: randomUUID(), username: 'x', device: 'd', address: 'a', refreshTokenHash: hash(expired), now: at(0), expiresAt: at(20) });
    // Every session of this file is older; only these four count.
    const ids = [live, recentlyRevoked, longRevoked].map((s) => s.sessionId).concat(expired);
    await store.purgeEnded(at(30), at(40), 100_000);
    const { rows } = await db.pool.query<{ session_id: string }>('select session_id from sessions where session_id = any($1)', [ids]);
    expect(rows.map((r) => r.session_id).sort()).toEqual([live.sessionId, recentlyRevoked.sessionId].sort());
    expect((await db.pool.query('select 1 from refresh_tokens where token_hash = $1', [hash(expired)])).rowCount).toBe(0);
  });

  it('takes a stream ticket once, and not after it expired or its session ended', async () => {
    const { sessionId, userId } = await newSession();
    const ticket = { sessionId, userId, username: 'alice', expiresAt: at(1), tokenExpiresAt: at(15) };
    await store.issueTicket({ ...ticket, ticketHash: hash('t1') });
    expect(await store.redeemTicket(hash('t1'), at(0.5))).toEqual({ ...ticket, ticketHash: hash('t1') });
    expect(await store.redeemTicket(hash('t1'), at(0.5))).toBeNull();
    await store.issueTicket({ ...ticket, ticketHash: hash('t2') });
    expect(await store.redeemTicket(hash('t2'), at(2))).toBeNull();
    await store.issueTicket({ ...ticket, ticketHash: hash('t3') });
    await store.revoke(sessionId, at(0.2));
    expect(await store.redeemTicket(hash('t3'), at(0.5))).toBeNull();
  });
});
