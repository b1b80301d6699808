import { describe, expect, it } from 'vitest';
import { createFreshness } from '../../../app/freshness.js';
import { asPosition, START, type Position } from '../../../events/index.js';
import type { Projection } from '../../../projections/runtime/projection.js';
import { createCheckpointWaiter } from '../../../projections/runtime/wait-for-checkpoint.js';

// Read-your-writes in bounded work (app/freshness.ts, projections/runtime/wait-for-checkpoint.ts):
// every count below is of reads made, never of time taken.

const at = (n: number): Position => asPosition(`${n.toString(16).padStart(16, '0')}:${n.toString(16).padStart(16, '0')}`);

/**
 * A projection whose checkpoint reads are answered by the test: each read waits until `answer`
 * resolves it, so the test sees how many reads are asked for at any moment.
 */
const controlledProjection = (name = 'feed') => {
  const pending: ((position: Position) => void)[] = [];
  let reads = 0;
  const projection = {
    name,
    checkpoint: () => {
      reads++;
      return new Promise<Position>((resolve) => pending.push(resolve));
    },
  } as unknown as Projection;
  return {
    projection,
    get reads() {
      return reads;
    },
    /** Reads asked for and not answered yet. */
    get pending() {
      return pending.length;
    },
    answer(position: Position) {
      for (const resolve of pending.splice(0)) resolve(position);
    },
  };
};

/** Lets pending promise callbacks (not timers) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('one shared waiter per projection', () => {
  it('answers 50 concurrent waits with one checkpoint read, not one per wait', async () => {
    const checkpoint = controlledProjection();
    const waiter = createCheckpointWaiter(checkpoint.projection, ['feed']);
    const waits = Array.from({ length: 50 }, (_, i) => waiter.wait(at(100 + i), 60_000));
    await settle();
    expect(checkpoint.pending).toBe(1);
    expect(waiter.waiting).toBe(50);
    checkpoint.answer(at(1_000));
    expect(await Promise.all(waits)).toEqual(Array(50).fill(true));
    expect(checkpoint.reads).toBe(1);
    expect(waiter.waiting).toBe(0);
  });

  it('answers a wait at or before a checkpoint already seen without reading again', async () => {
    const checkpoint = controlledProjection();
    const waiter = createCheckpointWaiter(checkpoint.projection, ['feed']);
    const first = waiter.wait(at(5), 60_000);
    await settle();
    checkpoint.answer(at(10));
    expect(await first).toBe(true);
    expect(await waiter.wait(at(10), 60_000)).toBe(true);
    expect(waiter.hasReached(at(7))).toBe(true);
    expect(waiter.hasReached(at(11))).toBe(false);
    expect(checkpoint.reads).toBe(1);
  });

  it('answers only the waits the checkpoint reached; the others go on waiting on the same loop', async () => {
    const checkpoint = controlledProjection();
    const waiter = createCheckpointWaiter(checkpoint.projection, ['feed'], { pollMs: 1, maxPollMs: 1 });
    const early = waiter.wait(at(5), 60_000);
    const late = waiter.wait(at(50), 60_000);
    await settle();
    checkpoint.answer(at(10));
    expect(await early).toBe(true);
    expect(waiter.waiting).toBe(1);
    // The next look (one read, for the one wait left).
    while (checkpoint.pending === 0) await settle();
    expect(checkpoint.pending).toBe(1);
    checkpoint.answer(at(50));
    expect(await late).toBe(true);
  });

  it('answers false once the bound has passed without the checkpoint reaching the position', async () => {
    const checkpoint = { checkpoint: async () => START };
    expect(await createCheckpointWaiter(checkpoint, ['feed']).wait(at(1), 0)).toBe(false);
  });

  it('needs every partition at or past the position', async () => {
    const checkpoints: Record<string, Position> = { 'feed#0/2': at(9), 'feed#1/2': at(3) };
    const waiter = createCheckpointWaiter({ checkpoint: async (key) => checkpoints[key]! }, Object.keys(checkpoints));
    expect(await waiter.wait(at(5), 0)).toBe(false);
    expect(await waiter.wait(at(3), 0)).toBe(true);
  });

  it('rejects every wait with the error of a checkpoint read that failed (answered 503 by the error handler)', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const waiter = createCheckpointWaiter({ checkpoint: () => Promise.reject(down) }, ['feed']);
    await expect(Promise.all([waiter.wait(at(1), 60_000), waiter.wait(at(2), 60_000)])).rejects.toBe(down);
    expect(waiter.waiting).toBe(0);
  });
});

describe('read-your-writes freshness', () => {
  const storeAt = (committed: Position) => {
    let reads = 0;
    return {
      store: {
        lastCommittedPosition: async () => {
          reads++;
          return committed;
        },
      },
      get reads() {
        return reads;
      },
    };
  };

  it('answers a position past the last committed event at once as stale: no checkpoint read, no waiter', async () => {
    const checkpoint = controlledProjection();
    const committed = storeAt(at(10));
    const freshness = createFreshness({ projections: () => [checkpoint.projection], store: committed.store, timeoutMs: 60_000, maxWaiters: 100 });
    expect(await freshness.behind(['feed'], at(1_000_000))).toEqual(['feed']);
    expect(checkpoint.reads).toBe(0);
    expect(freshness.waiting).toBe(0);
    expect(committed.reads).toBe(1);
  });

  it('waits for a position committed but not yet applied, and names nothing once it is', async () => {
    const checkpoint = controlledProjection();
    const freshness = createFreshness({ projections: () => [checkpoint.projection], store: storeAt(at(10)).store, timeoutMs: 60_000, maxWaiters: 100 });
    const answer = freshness.behind(['feed'], at(10));
    await settle();
    expect(freshness.waiting).toBe(1);
    checkpoint.answer(at(10));
    expect(await answer).toEqual([]);
  });

  it('answers at once as stale past maxWaiters waits held, and waits again once they are answered', async () => {
    const checkpoint = controlledProjection();
    const freshness = createFreshness({ projections: () => [checkpoint.projection], store: storeAt(at(100)).store, timeoutMs: 60_000, maxWaiters: 2 });
    const held = [freshness.behind(['feed'], at(20)), freshness.behind(['feed'], at(30))];
    await settle();
    expect(freshness.waiting).toBe(2);
    expect(await freshness.behind(['feed'], at(40))).toEqual(['feed']);
    expect(freshness.waiting).toBe(2);
    checkpoint.answer(at(30));
    expect(await Promise.all(held)).toEqual([[], []]);
    expect(freshness.waiting).toBe(0);
    const again = freshness.behind(['feed'], at(40));
    await settle();
    expect(freshness.waiting).toBe(1);
    checkpoint.answer(at(40));
    expect(await again).toEqual([]);
  });

  it('shares one committed-position query among the requests that arrive while one runs', async () => {
    let release: (position: Position) => void = () => undefined;
    let reads = 0;
    const store = {
      lastCommittedPosition: () => {
        reads++;
        return new Promise<Position>((resolve) => (release = resolve));
      },
    };
    const checkpoint = controlledProjection();
    const freshness = createFreshness({ projections: () => [checkpoint.projection], store, timeoutMs: 60_000, maxWaiters: 100 });
    const first = freshness.behind(['feed'], at(500));
    await settle();
    // Arriving while the first query runs: they get one more query, started after them, together.
    const later = Array.from({ length: 20 }, (_, i) => freshness.behind(['feed'], at(600 + i)));
    await settle();
    expect(reads).toBe(1);
    release(at(10));
    expect(await first).toEqual(['feed']);
    await settle();
    expect(reads).toBe(2);
    release(at(10));
    expect(await Promise.all(later)).toEqual(Array(20).fill(['feed']));
    expect(checkpoint.reads).toBe(0);
  });

  it('waits for nothing on a projection this deployment does not run', async () => {
    const committed = storeAt(at(10));
    const freshness = createFreshness({ projections: () => [], store: committed.store, timeoutMs: 60_000, maxWaiters: 100 });
    expect(await freshness.behind(['feed'], at(5))).toEqual([]);
    expect(committed.reads).toBe(0);
  });
});

describe('with a read replica (primaryProjections)', () => {
  /** A projection whose checkpoint is fixed at `position`. */
  const stillAt = (name: string, position: Position) => ({ name, checkpoint: async () => position }) as unknown as Projection;
  const store = { lastCommittedPosition: async () => at(10) };
  const options = { store, timeoutMs: 30, maxWaiters: 10 };

  it('refuses (503, naming the replica) a read the primary has applied and the replica has not replayed', async () => {
    const freshness = createFreshness({ ...options, projections: () => [stillAt('feed', at(3))], primaryProjections: () => [stillAt('feed', at(5))] });
    await expect(freshness.behind(['feed'], at(5))).rejects.toMatchObject({ name: 'ReplicaBehindError', backend: 'postgresql-replica', projections: ['feed'] });
  });

  it('answers, naming the projection, when the projection itself is behind on the primary too (stale, as without a replica)', async () => {
    const freshness = createFreshness({ ...options, projections: () => [stillAt('feed', at(3))], primaryProjections: () => [stillAt('feed', at(4))] });
    expect(await freshness.behind(['feed'], at(5))).toEqual(['feed']);
  });

  it('answers at once when the replica has replayed the position', async () => {
    const freshness = createFreshness({ ...options, projections: () => [stillAt('feed', at(5))], primaryProjections: () => [stillAt('feed', START)] });
    expect(await freshness.behind(['feed'], at(5))).toEqual([]);
  });
});
