import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitStore } from '../../app/rate-limit/store.js';

// The one contract every RateLimitStore adapter passes: token buckets, one key each, on the
// time the caller gives (so that refill is seen without waiting on a clock).

export interface RateLimitStoreUnderTest {
  store: RateLimitStore;
  cleanup(): Promise<void>;
}

export const rateLimitStoreContract = (name: string, setup: () => Promise<RateLimitStoreUnderTest>, { skip = false } = {}) => {
  describe.skipIf(skip)(`rate-limit store contract: ${name}`, () => {
    let under: RateLimitStoreUnderTest;
    beforeAll(async () => {
      under = await setup();
    });
    afterAll(() => under?.cleanup());
    const at = 1_000_000_000;

    it('lets a full bucket give `limit` tokens, counting down, then refuses with the wait for one token', async () => {
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await under.store.take('full', 3, 30_000, at));
      expect(takes.map((take) => take.allowed)).toEqual([true, true, true, false]);
      expect(takes.map((take) => take.remaining)).toEqual([2, 1, 0, 0]);
      expect(takes[3]!.retryAfterMs).toBe(10_000);
      expect(takes[3]!.resetMs).toBe(30_000);
      expect(takes[0]!.retryAfterMs).toBe(0);
    });

    it('refills evenly over the window: one token per window/limit, the full bucket after the window', async () => {
      for (let i = 0; i < 3; i++) await under.store.take('refill', 3, 30_000, at);
      expect((await under.store.take('refill', 3, 30_000, at + 9_999)).allowed).toBe(false);
      expect((await under.store.take('refill', 3, 30_000, at + 10_000)).allowed).toBe(true);
      expect((await under.store.take('refill', 3, 30_000, at + 10_001)).allowed).toBe(false);
      const later = await under.store.take('refill', 3, 30_000, at + 1_000_000);
      expect(later).toMatchObject({ allowed: true, remaining: 2 });
    });

    it('keeps buckets apart by key', async () => {
      await under.store.take('one', 1, 60_000, at);
      expect((await under.store.take('one', 1, 60_000, at)).allowed).toBe(false);
      expect((await under.store.take('two', 1, 60_000, at)).allowed).toBe(true);
    });

    it('gives exactly `limit` tokens to concurrent takes', async () => {
      const takes = await Promise.all(Array.from({ length: 20 }, () => under.store.take('concurrent', 5, 60_000, at)));
      expect(takes.filter((take) => take.allowed)).toHaveLength(5);
    });

    it('does not refill for a clock that goes back (another process a little behind)', async () => {
      await under.store.take('skew', 2, 60_000, at);
      await under.store.take('skew', 2, 60_000, at);
      expect((await under.store.take('skew', 2, 60_000, at - 50_000)).allowed).toBe(false);
    });
  });
};
