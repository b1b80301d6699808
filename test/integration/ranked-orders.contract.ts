import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RankedOrders, RankedOrdersOptions } from '../../read-api/ranked-orders.js';

// The one contract every RankedOrders adapter passes (read-api/ranked-orders.ts): a session's
// ranked ids come back as saved, in order, to that viewer only, until the TTL is over on the
// clock the caller passes, and a viewer keeps at most `sessionsPerViewer`, the oldest pushed out.

export interface RankedOrdersUnderTest {
  orders(options: Required<RankedOrdersOptions>): Promise<RankedOrders>;
  cleanup(): Promise<void>;
}

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());
const at = Date.parse('2026-06-01T12:00:00.000Z');
const TTL = 30 * 60_000;

export const rankedOrdersContract = (name: string, setup: () => Promise<RankedOrdersUnderTest>, { skip = false } = {}) => {
  describe.skipIf(skip)(`ranked orders contract: ${name}`, () => {
    let under: RankedOrdersUnderTest;
    let orders: RankedOrders;
    beforeAll(async () => {
      under = await setup();
      orders = await under.orders({ ttlMs: TTL, sessionsPerViewer: 3 });
    });
    afterAll(() => under?.cleanup());

    it('gives back the ids saved for a session, in their order, 300 of them', async () => {
      const [viewer, session] = [randomUUID(), randomUUID()];
      const saved = ids(300);
      await orders.save(viewer, session, saved, at);
      expect(await orders.load(viewer, session, at + 1)).toEqual(saved);
    });

    it('keeps an empty order apart from none', async () => {
      const [viewer, session] = [randomUUID(), randomUUID()];
      expect(await orders.load(viewer, session, at)).toBeNull();
      await orders.save(viewer, session, [], at);
      expect(await orders.load(viewer, session, at)).toEqual([]);
    });

    it("keeps sessions apart, and answers none for another viewer's session", async () => {
      const [viewer, other, first, second] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const [a, b] = [ids(3), ids(2)];
      await orders.save(viewer, first, a, at);
      await orders.save(viewer, second, b, at);
      expect(await orders.load(viewer, first, at)).toEqual(a);
      expect(await orders.load(viewer, second, at)).toEqual(b);
      expect(await orders.load(other, first, at)).toBeNull();
    });

    it('forgets a session once its TTL is over', async () => {
      const [viewer, session] = [randomUUID(), randomUUID()];
      await orders.save(viewer, session, ids(2), at);
      expect(await orders.load(viewer, session, at + TTL - 1)).toHaveLength(2);
      expect(await orders.load(viewer, session, at + TTL)).toBeNull();
    });

    it("keeps a viewer's newest sessions only: a new one pushes the oldest out, other viewers' stay", async () => {
      const [viewer, other] = [randomUUID(), randomUUID()];
      const sessions = ids(5);
      const kept = await under.orders({ ttlMs: TTL, sessionsPerViewer: 3 });
      await kept.save(other, sessions[0]!, ids(1), at);
      for (const [i, session] of sessions.entries()) await kept.save(viewer, session, [session], at + i);
      const found = await Promise.all(sessions.map((session) => kept.load(viewer, session, at + 10)));
      expect(found).toEqual([null, null, [sessions[2]], [sessions[3]], [sessions[4]]]);
      expect(await kept.load(other, sessions[0]!, at + 10)).toHaveLength(1);
      // Saving a session again keeps it, and the count.
      await kept.save(viewer, sessions[2]!, ids(2), at + 20);
      expect(await kept.load(viewer, sessions[2]!, at + 21)).toHaveLength(2);
      expect(await kept.load(viewer, sessions[3]!, at + 21)).toEqual([sessions[3]]);
    });
  });
};
