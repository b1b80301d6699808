import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, typoAllowance } from '../../../projections/search/text-match.js';
import type { UserHit } from '../../../projections/search/search-store.js';
import { matchQuality, rankUsers } from '../../../projections/search/user-ranking.js';

// The pure rules under the PostgreSQL search store's typo tolerance and user ranking.

/** The textbook table of optimal string alignment, over code points: the reference. */
const referenceDistance = (a: string, b: string): number => {
  const s = [...a];
  const t = [...b];
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[s.length]![t.length]!;
};

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '🎉'), maxLength: 8 });

describe('edit distance', () => {
  it('equals the optimal-string-alignment table, and with a cap answers cap + 1 for anything farther', () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 4 }), (a, b, max) => {
        const exact = referenceDistance(a, b);
        expect(editDistance(a, b)).toBe(exact);
        expect(editDistance(a, b, max)).toBe(exact <= max ? exact : max + 1);
      }),
      { numRuns: 200 },
    );
  });

  it('counts a swap of neighbours, an accented letter and an emoji as one edit each', () => {
    expect(editDistance('penelpoe', 'penelope')).toBe(1);
    expect(editDistance('cafe', 'café')).toBe(1);
    expect(editDistance('party🎉', 'party')).toBe(1);
    expect([2, 3, 5, 6].map(typoAllowance)).toEqual([0, 1, 1, 2]);
  });
});

const usernames = fc.constantFrom('mark', 'marko', 'markus', 'mar', 'mark.twain', 'ann', 'anna', 'bob');
const candidates: fc.Arbitrary<UserHit[]> = fc.uniqueArray(
  fc.record({ id: fc.uuid(), username: usernames, displayName: fc.constantFrom('Mark', 'Anna Lee', 'Bob', '') }),
  { selector: (u) => u.id, maxLength: 10 },
);

describe('user ranking', () => {
  it('puts an exact username first, then every followed match before any other match, and keeps only matches', () => {
    fc.assert(
      fc.property(candidates, fc.constantFrom('mark', 'mar', 'anna', 'bob', 'marcus'), fc.boolean(), fc.nat(), (users, text, prefix, seed) => {
        const followingIds = new Set(users.filter((_, i) => (seed >> i) % 2 === 1).map((u) => u.id));
        const query = { text, prefix, followingIds };
        const ranked = rankUsers(users, query, 100);
        const tier = (u: UserHit) => (u.username === text ? 0 : followingIds.has(u.id) ? 1 : 2);
        expect(ranked.map(tier)).toEqual(ranked.map(tier).sort());
        expect(ranked.map((u) => u.id).sort()).toEqual(users.filter((u) => matchQuality(u, query) !== null).map((u) => u.id).sort());
      }),
      { numRuns: 200 },
    );
  });

  // Rule (projections/search/user-ranking.ts): standing (verified, then followers) never moves an
  // account across a tier or from a typo above a true match, and within those, more standing never
  // ranks lower: raising one account's standing never moves it down, and never changes the others'
  // order among themselves.
  it('ranks by standing within a tier and match kind: raising an account never moves it down nor reorders the rest', () => {
    const standing = fc.record({ verified: fc.boolean(), followerCount: fc.nat({ max: 1_000 }) });
    fc.assert(
      fc.property(candidates, fc.constantFrom('mark', 'mar', 'anna', 'bob', 'marcus'), fc.boolean(), fc.array(standing, { maxLength: 12 }), fc.nat(), (users, text, prefix, standings, pickSeed) => {
        const query = { text, prefix, followingIds: new Set(users.filter((_, i) => i % 3 === 0).map((u) => u.id)) };
        const given = new Map(users.map((u, i) => [u.id, standings[i] ?? { verified: false, followerCount: 0 }]));
        const before = rankUsers(users, query, 100, given).map((u) => u.id);
        const tierOf = (id: string) => {
          const user = users.find((u) => u.id === id)!;
          return [matchQuality(user, query) === 0 ? 0 : query.followingIds.has(id) ? 1 : 2, matchQuality(user, query)! >= 3 ? 1 : 0];
        };
        // Tiers and match kinds stay in their order whatever the standing.
        const kinds = before.map((id) => tierOf(id).join(':'));
        expect(kinds).toEqual([...kinds].sort());
        if (before.length === 0) return;
        const raised = before[pickSeed % before.length]!;
        const old = given.get(raised)!;
        const higher = new Map(given).set(raised, { verified: true, followerCount: old.followerCount + 1 });
        const after = rankUsers(users, query, 100, higher).map((u) => u.id);
        expect(after.indexOf(raised)).toBeLessThanOrEqual(before.indexOf(raised));
        expect(after.filter((id) => id !== raised)).toEqual(before.filter((id) => id !== raised));
      }),
      { numRuns: 200 },
    );
  });
});
