import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admissionQueue, failureKeysOf, failureMemory } from '../../../commands/accounts/hashing-admission.js';

// Who gets password hashing when it is scarce (commands/accounts/hashing-admission.ts): the
// admission queue (order, displacement, bounds) and the memory of failed logins that makes a
// caller a suspect (bounded in time and size).

describe('the admission queue of password hashing', () => {
  it('runs `concurrency` at once, then queues clean waiters first and suspects after them, each in arrival order', () => {
    const queue = admissionQueue<string>(2, 10);
    expect(queue.arrive('s0', true)).toEqual({ outcome: 'run' });
    expect(queue.arrive('c0', false)).toEqual({ outcome: 'run' });
    for (const [waiter, suspect] of [['s1', true], ['c1', false], ['s2', true], ['c2', false]] as const) {
      expect(queue.arrive(waiter, suspect)).toEqual({ outcome: 'queued', displaced: null });
    }
    expect(queue.load()).toEqual({ running: 2, clean: 2, suspect: 2 });
    const order = [queue.finish(), queue.finish(), queue.finish(), queue.finish()];
    expect(order).toEqual(['c1', 'c2', 's1', 's2']);
    // Nobody waits: each finish now frees a slot.
    expect([queue.finish(), queue.finish()]).toEqual([null, null]);
    expect(queue.load()).toEqual({ running: 0, clean: 0, suspect: 0 });
  });

  it('at a full queue, a clean arrival displaces the newest suspect waiter; a suspect arrival is refused', () => {
    const queue = admissionQueue<string>(1, 3);
    queue.arrive('running', false);
    queue.arrive('s1', true);
    queue.arrive('s2', true);
    queue.arrive('c1', false);
    expect(queue.arrive('s3', true)).toEqual({ outcome: 'refused' });
    expect(queue.arrive('c2', false)).toEqual({ outcome: 'queued', displaced: 's2' });
    expect(queue.arrive('c3', false)).toEqual({ outcome: 'queued', displaced: 's1' });
    expect(queue.load()).toEqual({ running: 1, clean: 3, suspect: 0 });
    // A queue full of clean waiters refuses a clean arrival too (the platform is overloaded).
    expect(queue.arrive('c4', false)).toEqual({ outcome: 'refused' });
    expect([queue.finish(), queue.finish(), queue.finish(), queue.finish()]).toEqual(['c1', 'c2', 'c3', null]);
  });

  it('with no room to wait, only a free slot admits', () => {
    const queue = admissionQueue<string>(1, 0);
    expect(queue.arrive('a', false)).toEqual({ outcome: 'run' });
    expect(queue.arrive('b', false)).toEqual({ outcome: 'refused' });
    expect(queue.arrive('c', true)).toEqual({ outcome: 'refused' });
    expect(queue.finish()).toBeNull();
    expect(queue.arrive('d', true)).toEqual({ outcome: 'run' });
  });

  // The rules, for any sequence of arrivals and finishes: never more than `concurrency` running or
  // `queueLimit` waiting; a clean caller is refused only when every waiter is clean; a suspect is
  // never let in while a clean caller waits; every waiter is let in, displaced, or still waiting.
  it('keeps its bounds and its order for any sequence of arrivals and finishes', () => {
    const step = fc.oneof(fc.constant({ kind: 'finish' as const }), fc.record({ kind: fc.constant('arrive' as const), suspect: fc.boolean() }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }), fc.array(step, { maxLength: 80 }), (concurrency, queueLimit, steps) => {
        const queue = admissionQueue<{ id: number; suspect: boolean }>(concurrency, queueLimit);
        const waiting = new Map<number, boolean>();
        const fates = new Map<number, 'run' | 'admitted' | 'displaced' | 'refused'>();
        let id = 0;
        for (const s of steps) {
          if (s.kind === 'arrive') {
            const waiter = { id: id++, suspect: s.suspect };
            const before = queue.load();
            const arrival = queue.arrive(waiter, s.suspect);
            if (arrival.outcome === 'refused') {
              fates.set(waiter.id, 'refused');
              // Refused only at a full queue, and a clean caller only when no suspect waits.
              expect(before.running).toBe(concurrency);
              expect(before.clean + before.suspect).toBe(queueLimit);
              if (!s.suspect) expect(before.suspect).toBe(0);
            } else if (arrival.outcome === 'run') fates.set(waiter.id, 'run');
            else {
              waiting.set(waiter.id, s.suspect);
              if (arrival.displaced) {
                expect(s.suspect).toBe(false);
                expect(arrival.displaced.suspect).toBe(true);
                waiting.delete(arrival.displaced.id);
                fates.set(arrival.displaced.id, 'displaced');
              }
            }
          } else if (queue.load().running > 0) {
            const next = queue.finish();
            if (next) {
              // A suspect goes in only when no clean caller waits.
              if (next.suspect) expect([...waiting.values()]).not.toContain(false);
              waiting.delete(next.id);
              fates.set(next.id, 'admitted');
            }
          }
          const load = queue.load();
          expect(load.running).toBeLessThanOrEqual(concurrency);
          expect(load.clean + load.suspect).toBeLessThanOrEqual(queueLimit);
          expect(load.clean + load.suspect).toBe(waiting.size);
        }
        expect(fates.size + waiting.size).toBe(id);
      }),
    );
  });
});

describe('the memory of failed logins', () => {
  const minute = 60_000;

  it('makes a caller a suspect by its address or by the account it names, for the time-to-live after the latest failure', () => {
    const memory = failureMemory({ ttlMs: 15 * minute, maxKeys: 100 });
    memory.record(failureKeysOf({ address: '203.0.113.7', login: 'victim' }), 0);
    expect(memory.failedRecently(failureKeysOf({ address: '203.0.113.7', login: 'someone' }), minute)).toBe(true);
    expect(memory.failedRecently(failureKeysOf({ address: '198.51.100.1', login: 'victim' }), minute)).toBe(true);
    expect(memory.failedRecently(failureKeysOf({ address: '198.51.100.1', login: 'someone' }), minute)).toBe(false);
    // A registration names no account: only its address counts.
    expect(memory.failedRecently(failureKeysOf({ address: '198.51.100.1', login: null }), minute)).toBe(false);
    expect(memory.failedRecently(failureKeysOf({ address: '203.0.113.7', login: null }), minute)).toBe(true);
    // An address is not an account of the same spelling.
    expect(memory.failedRecently(failureKeysOf({ address: 'victim', login: null }), minute)).toBe(false);

    expect(memory.failedRecently(failureKeysOf({ address: '203.0.113.7', login: null }), 15 * minute - 1)).toBe(true);
    expect(memory.failedRecently(failureKeysOf({ address: '203.0.113.7', login: null }), 15 * minute)).toBe(false);
    // A later failure starts the time again.
    memory.record(failureKeysOf({ address: '203.0.113.7', login: null }), 10 * minute);
    expect(memory.failedRecently(failureKeysOf({ address: '203.0.113.7', login: null }), 20 * minute)).toBe(true);
    expect(memory.failedRecently(failureKeysOf({ address: null, login: 'victim' }), 20 * minute)).toBe(false);
  });

  it('keeps at most `maxKeys`, forgetting the least recently failed first, and drops expired keys as it records', () => {
    const memory = failureMemory({ ttlMs: 15 * minute, maxKeys: 3 });
    memory.record(['a'], 0);
    memory.record(['b'], 1);
    memory.record(['c'], 2);
    memory.record(['a'], 3); // a failed again: b is now the least recently failed
    memory.record(['d'], 4);
    expect(memory.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].filter((key) => memory.failedRecently([key], 5))).toEqual(['a', 'c', 'd']);
    // Past the time-to-live of c and d but not of e's failure: only e stays.
    memory.record(['e'], 4 + 15 * minute);
    expect(memory.size).toBe(1);
    expect(memory.failedRecently(['e'], 4 + 15 * minute)).toBe(true);
  });
});
