import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  celebritiesFollowedPerReader,
  celebrityShare,
  fanOutWritesPerDay,
  feedMemoryBytes,
  feedMemoryCeilingBytes,
  feedRoles,
  followerLaw,
  logGrowth,
  meanFollowers,
  mixedRate,
  pushedFollowShare,
  routeLoads,
  type FeedInputs,
} from '../../../bench/support/capacity-model.js';

// The closed formulas of docs/capacity.md (bench/support/capacity-model.ts): the follower law they
// rest on, the monotonic trade the celebrity threshold makes, the ceiling on feed memory, and the
// doc's headline figures being the model's (so that a changed figure cannot leave the doc behind).

const laws = fc.record({
  alpha: fc.double({ min: 1.05, max: 3, noNaN: true }),
  mean: fc.double({ min: 5, max: 2_000, noNaN: true }),
  max: fc.integer({ min: 10_000, max: 2_000_000_000 }),
});

const inputsArbitrary = fc.record({
  law: laws,
  accounts: fc.integer({ min: 1_000, max: 2_000_000_000 }),
  postsPerAccountPerDay: fc.double({ min: 0.001, max: 5, noNaN: true }),
  feedCap: fc.integer({ min: 1, max: 5_000 }),
  horizonDays: fc.double({ min: 0.1, max: 3_650, noNaN: true }),
  bytesPerEntry: fc.double({ min: 1, max: 500, noNaN: true }),
  thresholds: fc.tuple(fc.integer({ min: 1, max: 3_000_000_000 }), fc.integer({ min: 1, max: 3_000_000_000 })),
});

const inputsOf = (drawn: { law: { alpha: number; mean: number; max: number } } & Omit<FeedInputs, 'law' | 'threshold' | 'chunkSize' | 'pageSize'>, threshold: number): FeedInputs => ({
  ...drawn,
  law: followerLaw(drawn.law.alpha, drawn.law.mean, drawn.law.max),
  threshold,
  chunkSize: 1_000,
  pageSize: 20,
});

describe('the capacity model', () => {
  it('property: the follower law solved for a mean has that mean', () => {
    fc.assert(
      fc.property(laws, ({ alpha, mean, max }) => {
        expect(meanFollowers(followerLaw(alpha, mean, max)) / mean).toBeCloseTo(1, 6);
      }),
    );
  });

  it('a known law: Pareto with alpha 2 from 1 puts 9/10 of the follows below 10 followers and 1/100 of the accounts at or above', () => {
    const law = { alpha: 2, xmin: 1, max: 1e15 };
    expect(pushedFollowShare(law, 10)).toBeCloseTo(0.9, 6);
    expect(celebrityShare(law, 10)).toBeCloseTo(0.01, 9);
    // No account has more followers than the cap: a threshold above it makes no celebrity.
    expect(celebrityShare({ ...law, max: 1_000 }, 1_001)).toBe(0);
    expect(pushedFollowShare({ ...law, max: 1_000 }, 1_001)).toBe(1);
  });

  it('property: lowering the celebrity threshold never adds fan-out writes nor feed memory, and never pulls fewer celebrities per read', () => {
    fc.assert(
      fc.property(inputsArbitrary, (drawn) => {
        const [low, high] = [...drawn.thresholds].sort((a, b) => a - b) as [number, number];
        const lower = inputsOf(drawn, low);
        const higher = inputsOf(drawn, high);
        expect(fanOutWritesPerDay(lower)).toBeLessThanOrEqual(fanOutWritesPerDay(higher) * (1 + 1e-12));
        expect(feedMemoryBytes(lower)).toBeLessThanOrEqual(feedMemoryBytes(higher) * (1 + 1e-12));
        expect(celebritiesFollowedPerReader(lower)).toBeGreaterThanOrEqual(celebritiesFollowedPerReader(higher) * (1 - 1e-12) - 1e-9);
      }),
    );
  });

  it('property: feed memory never exceeds every feed full (accounts x FEED_CAP x bytes per entry), and fan-out never exceeds every follower of every post', () => {
    fc.assert(
      fc.property(inputsArbitrary, (drawn) => {
        const f = inputsOf(drawn, drawn.thresholds[0]);
        expect(feedMemoryBytes(f)).toBeLessThanOrEqual(feedMemoryCeilingBytes(f) * (1 + 1e-12));
        expect(fanOutWritesPerDay(f)).toBeLessThanOrEqual(f.accounts * f.postsPerAccountPerDay * meanFollowers(f.law) * (1 + 1e-12));
      }),
    );
  });

  it('property: a process serving a mix of card-cache hits and misses answers between the two rates', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 1, max: 1e5, noNaN: true }), (hit, a, b) => {
        const rate = mixedRate(hit, a, b);
        expect(rate).toBeGreaterThanOrEqual(Math.min(a, b) * (1 - 1e-12));
        expect(rate).toBeLessThanOrEqual(Math.max(a, b) * (1 + 1e-12));
      }),
    );
  });

  it("docs/capacity.md shows the model's headline figures", () => {
    const doc = readFileSync(new URL('../../../docs/capacity.md', import.meta.url), 'utf8');
    const figure = (n: number) => Math.round(n).toLocaleString('en');
    const roles = feedRoles();
    const homeFeed = routeLoads().find((r) => r.route === 'home feed')!;
    expect(doc).toContain(figure(roles.fanOutWritesPerSecond));
    expect(doc).toContain(figure(roles.peakFanOutWritesPerSecond));
    expect(doc).toContain(figure(homeFeed.peakPerSecond));
    expect(doc).toContain(figure(logGrowth().eventsPerDay));
  });
});
