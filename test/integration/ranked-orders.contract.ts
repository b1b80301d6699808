import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RankedOrders } from '../../read-api/ranked-orders.js';

// The one contract every RankedOrders adapter passes (read-api/ranked-orders.ts): a session's
// ranked ids come back as saved, in order, to that viewer only, until the TTL is over.

export interface RankedOrdersUnderTest {
  /** `ttlMs` short, so that expiry is seen by waiting past it. */
  orders(ttlMs: number): Promise<RankedOrders>;
  cleanup(): Promise<void>;
}

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const rankedOrdersContract = (name: string, setup: () => Promise<RankedOrdersUnderTest>, { skip = false } = {}) => {
  describe.skipIf(skip)(`ranked orders contract: ${name}`, () => {
    let under: RankedOrdersUnderTest;
    let orders: RankedOrders;
    beforeAll(async () => {
      under = await setup();
      orders = await under.orders(60_000);
    });
    afterAll(() => under?.cleanup());

    it('gives back the ids saved for a session, in their order, 300 of them', async () => {
      const [viewer, session] = [randomUUID(), randomUUID()];
      const saved = ids(300);
      await orders.save(viewer, session, saved);
      expect(await orders.load(viewer, session)).toEqual(saved);
    });

    it('keeps an empty order apart from none', async () => {
      const [viewer, session] = [randomUUID(), randomUUID()];
      expect(await orders.load(viewer, session)).toBeNull();
      await orders.save(viewer, session, []);
      expect(await orders.load(viewer, session)).toEqual([]);
    });

    it("keeps sessions apart, and answers none for another viewer's session", async () => {
      const [viewer, other, first, second] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const [a, b] = [ids(3), ids(2)];
      await orders.save(viewer, first, a);
      await orders.save(viewer, second, b);
      expect(await orders.load(viewer, first)).toEqual(a);
      expect(await orders.load(viewer, second)).toEqual(b);
      expect(await orders.load(other, first)).toBeNull();
    });

    it('forgets a session once its TTL is over', async () => {
      const short = await under.orders(300);
      const [viewer, session] = [randomUUID(), randomUUID()];
      await short.save(viewer, session, ids(2));
      expect(await short.load(viewer, session)).toHaveLength(2);
      await sleep(600);
      expect(await short.load(viewer, session)).toBeNull();
    });
  });
};
