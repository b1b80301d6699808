import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimOrder, fairShare, planLeases } from '../../../projections/runtime/lease-share.js';

// The lease arithmetic of partitioned projectors (projections/runtime/lease-share.ts): owners
// taking turns in any order, from any split of the partitions (some held, some free), end with
// every partition held by one owner, each owner's share within floor..ceil of n / owners, and a
// further round changing nothing.

/** Who holds each partition (undefined: free). */
type Holders = (string | undefined)[];

const viewOf = (holders: Holders, me: string, owners: readonly string[]) => {
  const counts = new Map(owners.map((owner) => [owner, holders.filter((holder) => holder === owner).length]));
  return {
    count: holders.length,
    me,
    owners: counts,
    mine: holders.flatMap((holder, index) => (holder === me ? [index] : [])),
    free: holders.flatMap((holder, index) => (holder === undefined ? [index] : [])),
  };
};

/** One owner's turn: its releases, then its claims of what is still free (claims race: only free ones succeed). */
const turn = (holders: Holders, me: string, owners: readonly string[]): boolean => {
  const plan = planLeases(viewOf(holders, me, owners));
  for (const index of plan.release) holders[index] = undefined;
  for (const index of plan.claim) if (holders[index] === undefined) holders[index] = me;
  return plan.release.length > 0 || plan.claim.length > 0;
};

const anyState = fc
  .record({ count: fc.integer({ min: 1, max: 12 }), owners: fc.integer({ min: 1, max: 5 }) })
  .chain(({ count, owners }) => {
    const names = Array.from({ length: owners }, (_, i) => `owner-${i}`);
    return fc.record({
      names: fc.constant(names),
      // Some partitions held by live owners, the others free (never claimed, or a dead owner's expired).
      holders: fc.array(fc.option(fc.constantFrom(...names), { nil: undefined }), { minLength: count, maxLength: count }),
      order: fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 200 }),
    });
  });

describe('lease sharing', () => {
  it('the fair share covers every partition and differs by at most one', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 50 }), (count, owners) => {
        const { floor, ceil } = fairShare(count, owners);
        expect(ceil - floor).toBeLessThanOrEqual(1);
        expect(ceil * Math.max(1, owners)).toBeGreaterThanOrEqual(count);
        expect(floor * Math.max(1, owners)).toBeLessThanOrEqual(count);
      }),
    ));

  it('a plan claims only free partitions, releases only held ones, and never leaves more than the ceiling held', () =>
    fc.assert(
      fc.property(anyState, ({ names, holders }) => {
        for (const me of names) {
          const view = viewOf(holders, me, names);
          const plan = planLeases(view);
          for (const index of plan.claim) expect(view.free).toContain(index);
          for (const index of plan.release) expect(view.mine).toContain(index);
          expect(view.mine.length - plan.release.length + plan.claim.length).toBeLessThanOrEqual(fairShare(view.count, names.length).ceil);
        }
      }),
    ));

  it('owners taking turns in any order end with every partition held, each within its fair share, and stay there', () =>
    fc.assert(
      fc.property(anyState, ({ names, holders, order }) => {
        const state = [...holders];
        for (const me of order) turn(state, me, names);
        // Then full rounds until nobody moves: a bounded number of them.
        let rounds = 0;
        for (let moved = true; moved; rounds++) {
          expect(rounds).toBeLessThan(2 * state.length + 2);
          moved = false;
          for (const me of names) moved = turn(state, me, names) || moved;
        }
        expect(state.every((holder) => holder !== undefined)).toBe(true);
        const { floor, ceil } = fairShare(state.length, names.length);
        for (const me of names) {
          const holds = state.filter((holder) => holder === me).length;
          expect(holds).toBeGreaterThanOrEqual(floor);
          expect(holds).toBeLessThanOrEqual(ceil);
        }
      }),
    ));

  it('a dead owner\'s partitions, once expired (free), go to the survivors', () => {
    const holders: Holders = ['a', 'b', 'c', 'a', 'b', 'c'];
    for (const [index, holder] of holders.entries()) if (holder === 'b') holders[index] = undefined;
    for (let round = 0; round < 3; round++) for (const me of ['a', 'c']) turn(holders, me, ['a', 'c']);
    expect(holders.filter((holder) => holder === 'a')).toHaveLength(3);
    expect(holders.filter((holder) => holder === 'c')).toHaveLength(3);
  });

  it('claims start at a place of each owner\'s own and cover every free partition once', () => {
    const free = [0, 1, 2, 3, 4, 5, 6, 7];
    const starts = new Set(['a', 'b', 'c', 'd', 'e'].map((me) => claimOrder(me, 8, free)[0]));
    expect(starts.size).toBeGreaterThan(1);
    for (const me of ['a', 'b']) expect([...claimOrder(me, 8, free)].sort((x, y) => x - y)).toEqual(free);
  });
});
