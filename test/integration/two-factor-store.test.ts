import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTwoFactorStore } from '../../commands/accounts/two-factor-store-postgres.js';
import type { TwoFactorStore } from '../../commands/accounts/two-factor-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The two-factor store on the real PostgreSQL: what has to hold when requests race (a TOTP step,
// a recovery code and a challenge each used once), enrolment only while off, and disabling
// forgetting everything of the account's and nothing of another's.

const at = (minutes: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + minutes * 60_000);

describe('the PostgreSQL two-factor store', () => {
  let db: TestDatabase;
  let store: TwoFactorStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresTwoFactorStore(db.pool);
  });
  afterAll(() => db?.drop());

  const enabled = async (codes = ['code-a', 'code-b']) => {
    const userId = randomUUID();
    expect(await store.enroll(userId, 'enc:v1:first')).toBe(true);
    expect(await store.enable(userId, codes)).toBe(true);
    return userId;
  };

  it('enrols while off (again replacing the secret), enables once, and refuses to enrol while on', async () => {
    const userId = randomUUID();
    expect(await store.find(userId)).toBeNull();
    expect(await store.enroll(userId, 'enc:v1:first')).toBe(true);
    expect(await store.useStep(userId, 10)).toBe(true);
    expect(await store.enroll(userId, 'enc:v1:second')).toBe(true);
    expect(await store.find(userId)).toEqual({ sealedSecret: 'enc:v1:second', enabledAt: null, lastUsedStep: null });
    expect(await store.enable(userId, ['h1', 'h2'])).toBe(true);
    expect(await store.enable(userId, ['h3'])).toBe(false);
    expect(await store.enroll(userId, 'enc:v1:third')).toBe(false);
    expect((await store.find(userId))?.sealedSecret).toBe('enc:v1:second');
    expect(await store.useRecoveryCode(userId, 'h3')).toBe(false);
    expect(await store.enable(randomUUID(), ['h'])).toBe(false);
  });

  it('takes a TOTP step once and never an earlier one, also from racing requests', async () => {
    const userId = await enabled();
    const raced = await Promise.all(Array.from({ length: 8 }, () => store.useStep(userId, 100)));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await store.useStep(userId, 99)).toBe(false);
    expect(await store.useStep(userId, 101)).toBe(true);
    expect((await store.find(userId))?.lastUsedStep).toBe(101);
  });

  it("takes each recovery code once, also from racing requests, and only the account's own", async () => {
    const userId = await enabled(['mine-1', 'mine-2']);
    const other = await enabled(['theirs']);
    const raced = await Promise.all(Array.from({ length: 8 }, () => store.useRecoveryCode(userId, 'mine-1')));
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await store.useRecoveryCode(userId, 'theirs')).toBe(false);
    expect(await store.useRecoveryCode(userId, 'mine-2')).toBe(true);
    expect(await store.useRecoveryCode(other, 'theirs')).toBe(true);
  });

  it('counts attempts at a challenge up to the limit, refuses it expired, and ends it once', async () => {
    const userId = await enabled();
    await store.addChallenge('challenge-1', userId, at(5), at(0));
    for (let attempt = 0; attempt < 3; attempt++) expect(await store.attemptChallenge('challenge-1', at(1), 3)).toBe(userId);
    expect(await store.attemptChallenge('challenge-1', at(1), 3)).toBeNull();
    await store.addChallenge('challenge-2', userId, at(5), at(0));
    expect(await store.attemptChallenge('challenge-2', at(5), 3)).toBeNull();
    expect(await store.attemptChallenge('challenge-2', at(4), 3)).toBe(userId);
    const ended = await Promise.all([store.endChallenge('challenge-2'), store.endChallenge('challenge-2')]);
    expect(ended.filter(Boolean)).toHaveLength(1);
    expect(await store.attemptChallenge('challenge-2', at(4), 3)).toBeNull();
    expect(await store.attemptChallenge('never-issued', at(0), 3)).toBeNull();
    // A new challenge clears the expired ones.
    await store.addChallenge('challenge-3', userId, at(20), at(10));
    expect((await db.pool.query('select challenge_hash from two_factor_challenges where user_id = $1', [userId])).rows).toEqual([{ challenge_hash: 'challenge-3' }]);
  });

  it("disables: the secret, the codes and the challenges go, another account's stay", async () => {
    const userId = await enabled(['gone']);
    const other = await enabled(['kept']);
    await store.addChallenge('mine', userId, at(5), at(0));
    await store.addChallenge('theirs', other, at(5), at(0));
    await store.disable(userId);
    expect(await store.find(userId)).toBeNull();
    expect(await store.useRecoveryCode(userId, 'gone')).toBe(false);
    expect(await store.attemptChallenge('mine', at(1), 5)).toBeNull();
    expect(await store.attemptChallenge('theirs', at(1), 5)).toBe(other);
    expect(await store.useRecoveryCode(other, 'kept')).toBe(true);
    // Enrolling after disabling starts afresh.
    expect(await store.enroll(userId, 'enc:v1:new')).toBe(true);
    expect(await store.find(userId)).toEqual({ sealedSecret: 'enc:v1:new', enabledAt: null, lastUsedStep: null });
  });
});
