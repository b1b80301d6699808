import { fnv1a } from './partition.js';

// How the partitions of one projection are shared among the projector processes that run it
// (docs/architecture.md "Partitioned projectors"): each process, on each turn of its lease loop,
// looks at who holds what and decides what to claim and what to let go. Pure, so that the
// arithmetic can be tested on its own (test/property/lease-share.test.ts): from any state, owners
// taking turns in any order end with every partition held, each owner holding floor(n / owners)
// or ceil(n / owners), and nobody moving any more.

export interface LeaseView {
  /** Partitions of the projection (0 to count - 1). */
  count: number;
  /** This process. */
  me: string;
  /** Every live owner (this one included) and how many partitions each holds now. */
  owners: ReadonlyMap<string, number>;
  /** The partitions this process holds. */
  mine: readonly number[];
  /** Partitions nobody holds (never claimed, released, or their lease expired). */
  free: readonly number[];
}

export interface LeasePlan {
  /** Free partitions to try to claim, in this order (another owner may get there first). */
  claim: number[];
  /** Held partitions to let go (stopped first, then released). */
  release: number[];
}

/**
 * The fair share of each of `owners` live owners of `count` partitions: between `floor` and
 * `ceil` partitions each (equal when the count divides evenly).
 */
export const fairShare = (count: number, owners: number): { floor: number; ceil: number } => {
  const live = Math.max(1, owners);
  return { floor: Math.floor(count / live), ceil: Math.ceil(count / live) };
};

/**
 * One owner's turn. It never holds more than `ceil`; while another owner has fewer than `floor`,
 * it claims only up to `floor`, and when nothing is free the owner holding the most (ties: the
 * smallest name) lets one go, so that a newcomer gets its share without two owners trading a
 * partition back and forth.
 */
export const planLeases = ({ count, me, owners, mine, free }: LeaseView): LeasePlan => {
  const everyone = new Map(owners).set(me, mine.length);
  const { floor, ceil } = fairShare(count, everyone.size);
  const held = [...mine].sort((a, b) => a - b);
  if (held.length > ceil) return { claim: [], release: held.slice(ceil) };

  const starving = [...everyone].some(([owner, holds]) => owner !== me && holds < floor);
  if (starving && free.length === 0 && held.length > floor && richest(everyone) === me) return { claim: [], release: held.slice(-1) };

  const target = starving ? floor : ceil;
  return { claim: claimOrder(me, count, free).slice(0, Math.max(0, target - held.length)), release: [] };
};

/** The owner holding the most partitions; ties go to the smallest name, so that exactly one owner answers. */
const richest = (owners: ReadonlyMap<string, number>): string =>
  [...owners].reduce((best, candidate) => (candidate[1] > best[1] || (candidate[1] === best[1] && candidate[0] < best[0]) ? candidate : best))[0];

/**
 * Free partitions from a place of each owner's own (its name's hash), so that owners starting at
 * once try different partitions first instead of all racing for partition 0.
 */
export const claimOrder = (me: string, count: number, free: readonly number[]): number[] => {
  const start = fnv1a(me) % count;
  return [...free].sort((a, b) => ((a - start + count) % count) - ((b - start + count) % count));
};
