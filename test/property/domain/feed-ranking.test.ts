import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decayedAffinity, rankCandidates, rankScore, RANKING, recencyFactor, type RankCandidate } from '../../../projections/feed/ranking.js';

// The ranked home feed's order (projections/feed/ranking.ts, docs/rules.md "Feed"): a pure
// function of the candidates, the viewer's affinities and the instant.

const runs = { numRuns: 300 };
const HOUR = 3_600_000;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const authors = ['a1', 'a2', 'a3'];

const anyCandidate = fc.record({
  authorId: fc.constantFrom(...authors),
  // Whole minutes up to ten days old, a few ahead of the clock.
  createdAtMs: fc.integer({ min: -10, max: 14_400 }).map((minutes) => NOW - minutes * 60_000),
  likes: fc.nat({ max: 500 }),
  comments: fc.nat({ max: 100 }),
  shares: fc.nat({ max: 50 }),
});
/** Candidates with distinct ids (the feed never holds a post twice). */
const anyCandidates = fc
  .array(anyCandidate, { minLength: 1, maxLength: 30 })
  .map((list): RankCandidate[] => list.map((candidate, i) => ({ ...candidate, postId: `p${String(i).padStart(3, '0')}` })));
const anyAffinities = fc
  .tuple(...authors.map(() => fc.integer({ min: 0, max: 40 }).map((halves) => halves / 2)))
  .map((values) => new Map(authors.map((author, i) => [author, values[i]!])));

/** Where `postId` ranks (0 first). */
const rankOf = (postId: string, candidates: RankCandidate[], affinities: Map<string, number>) => rankCandidates(candidates, affinities, NOW).indexOf(postId);

/** The candidates with one of them changed. */
const changed = (candidates: RankCandidate[], index: number, change: Partial<RankCandidate>) =>
  candidates.map((candidate, i) => (i === index ? { ...candidate, ...change } : candidate));

describe('ranked home feed order (projections/feed/ranking.ts)', () => {
  it('is the seeds formula: likes + 2 comments + 3 shares + 10 recency + 5 affinity', () => {
    const post = { postId: 'p', authorId: 'a', createdAtMs: NOW - 30 * 60_000, likes: 3, comments: 1, shares: 2 };
    expect(rankScore(post, 0, NOW)).toBe(3 + 2 + 6 + 10);
    expect(rankScore(post, 1.5, NOW)).toBe(3 + 2 + 6 + 10 + 7.5);
    // Full recency for the first hour, half of it 6 hours later, a quarter 12 hours later.
    expect(recencyFactor(NOW - HOUR, NOW)).toBe(1);
    expect(recencyFactor(NOW - 7 * HOUR, NOW)).toBeCloseTo(0.5, 12);
    expect(recencyFactor(NOW - 13 * HOUR, NOW)).toBeCloseTo(0.25, 12);
    expect(recencyFactor(NOW + HOUR, NOW)).toBe(1);
    // An interaction counts half after 30 days, nothing past 180.
    expect(decayedAffinity(2, NOW - 30 * 24 * HOUR, NOW)).toBeCloseTo(1, 12);
    expect(decayedAffinity(1, NOW - RANKING.AFFINITY_HORIZON_MS - 1, NOW)).toBe(0);
  });

  for (const field of ['likes', 'comments', 'shares'] as const) {
    it(`more ${field} never ranks a post lower, all else equal`, () => {
      fc.assert(
        fc.property(anyCandidates, anyAffinities, fc.nat(), fc.integer({ min: 1, max: 100 }), (candidates, affinities, pick, more) => {
          const index = pick % candidates.length;
          const postId = candidates[index]!.postId;
          const before = rankOf(postId, candidates, affinities);
          const after = rankOf(postId, changed(candidates, index, { [field]: candidates[index]![field] + more }), affinities);
          expect(after).toBeLessThanOrEqual(before);
        }),
        runs,
      );
    });
  }

  it("more affinity with a post's author never ranks that post lower, all else equal", () => {
    fc.assert(
      fc.property(anyCandidates, anyAffinities, fc.nat(), fc.integer({ min: 1, max: 20 }), (candidates, affinities, pick, more) => {
        const post = candidates[pick % candidates.length]!;
        const closer = new Map(affinities).set(post.authorId, affinities.get(post.authorId)! + more / 2);
        expect(rankOf(post.postId, candidates, closer)).toBeLessThanOrEqual(rankOf(post.postId, candidates, affinities));
      }),
      runs,
    );
  });

  it('a newer post never ranks lower, all else equal', () => {
    fc.assert(
      fc.property(anyCandidates, anyAffinities, fc.nat(), fc.integer({ min: 1, max: 14_400 }), (candidates, affinities, pick, minutes) => {
        const index = pick % candidates.length;
        const post = candidates[index]!;
        const newer = changed(candidates, index, { createdAtMs: post.createdAtMs + minutes * 60_000 });
        expect(rankOf(post.postId, newer, affinities)).toBeLessThanOrEqual(rankOf(post.postId, candidates, affinities));
      }),
      runs,
    );
  });

  it('is a total, deterministic order: any permutation of the candidates ranks the same', () => {
    fc.assert(
      fc.property(
        anyCandidates.chain((candidates) => fc.tuple(fc.constant(candidates), fc.shuffledSubarray(candidates, { minLength: candidates.length, maxLength: candidates.length }))),
        anyAffinities,
        ([candidates, shuffled], affinities) => {
          const ranked = rankCandidates(candidates, affinities, NOW);
          expect(rankCandidates(shuffled, affinities, NOW)).toEqual(ranked);
          expect([...ranked].sort()).toEqual(candidates.map((candidate) => candidate.postId).sort());
        },
      ),
      runs,
    );
  });

  it('breaks ties stably: equal scores go newer first, then by id', () => {
    fc.assert(
      fc.property(anyCandidate, fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 12 }), (base, ages) => {
        // Posts under an hour old with the same engagement and author score the same.
        const candidates = ages.map((minutes, i) => ({ ...base, postId: `p${i}`, createdAtMs: NOW - minutes * 60_000 }));
        const expected = [...candidates]
          .sort((a, b) => b.createdAtMs - a.createdAtMs || (a.postId < b.postId ? 1 : -1))
          .map((candidate) => candidate.postId);
        expect(rankCandidates(candidates, new Map(), NOW)).toEqual(expected);
      }),
      runs,
    );
  });
});
