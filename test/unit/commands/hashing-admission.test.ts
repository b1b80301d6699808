import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admissionQueue, failureKeysOf, keyMemory, STANDINGS, standingOf, trustKeysOf, type Standing } from '../../../commands/accounts/hashing-admission.js';

// Who gets password hashing when it is scarce (commands/accounts/hashing-admission.ts): the
// admission queue (order, displacement, bounds) and the memories of failed and successful logins
// that give a caller its standing (bounded in time and size).

describe('the admission queue of password hashing', () => {
  it('runs `concurrency` at once, then lets waiters in trusted first, clean next, suspects last, each in arrival order', () => {
    const queue = admissionQueue<string>(2, 10);
    expect(queue.arrive('s0', 'suspect')).toEqual({ outcome: 'run' });
    expect(queue.arrive('c0', 'clean')).toEqual({ outcome: 'run' });
    for (const [waiter, standing] of [['s1', 'suspect'], ['c1', 'clean'], ['t1', 'trusted'], ['s2', 'suspect'], ['c2', 'clean'], ['t2', 'trusted']] as const) {
      expect(queue.arrive(waiter, standing)).toEqual({ outcome: 'queued', displaced: null });
    }
    expect(queue.load()).toEqual({ running: 2, trusted: 2, clean: 2, suspect: 2 });
    expect(Array.from({ length: 6 }, () => queue.finish())).toEqual(['t1', 't2', 'c1', 'c2', 's1', 's2']);
    // Nobody waits: each finish now frees a slot.
    expect([queue.finish(), queue.finish()]).toEqual([null, null]);
    expect(queue.load()).toEqual({ running: 0, trusted: 0, clean: 0, suspect: 0 });
  });

  it('at a full queue, an arrival displaces the newest waiter of the worst standing below its own; a suspect arrival is refused', () => {
    const queue = admissionQueue<string>(1, 4);
    queue.arrive('running', 'clean');
    queue.arrive('s1', 'suspect');
    queue.arrive('c1', 'clean');
    queue.arrive('s2', 'suspect');
    queue.arrive('c2', 'clean');
    expect(queue.arrive('s3', 'suspect')).toEqual({ outcome: 'refused' });
    // Suspects go first, the newest first, whoever arrives.
    expect(queue.arrive('t1', 'trusted')).toEqual({ outcome: 'queued', displaced: { waiter: 's2', standing: 'suspect' } });
    expect(queue.arrive('c3', 'clean')).toEqual({ outcome: 'queued', displaced: { waiter: 's1', standing: 'suspect' } });
    // No suspect left: a clean arrival is refused (the platform is overloaded), a trusted one pushes the newest clean waiter out.
    expect(queue.arrive('c4', 'clean')).toEqual({ outcome: 'refused' });
    expect(queue.arrive('t2', 'trusted')).toEqual({ outcome: 'queued', displaced: { waiter: 'c3', standing: 'clean' } });
    expect(queue.load()).toEqual({ running: 1, trusted: 2, clean: 2, suspect: 0 });
    expect(Array.from({ length: 5 }, () => queue.finish())).toEqual(['t1', 't2', 'c1', 'c2', null]);
  });

  it('with no room to wait, only a free slot admits', () => {
    const queue = admissionQueue<string>(1, 0);
    expect(queue.arrive('a', 'clean')).toEqual({ outcome: 'run' });
    expect(queue.arrive('b', 'trusted')).toEqual({ outcome: 'refused' });
    expect(queue.arrive('c', 'suspect')).toEqual({ outcome: 'refused' });
    expect(queue.finish()).toBeNull();
    expect(queue.arrive('d', 'suspect')).toEqual({ outcome: 'run' });
  });

  // The rules, for any sequence of arrivals and finishes: never more than `concurrency` running or
  // `queueLimit` waiting; an arrival is refused only at a full queue with no waiter below its
  // standing, and only a waiter below the arrival's standing is displaced; nobody is let in while
  // a caller of better standing waits; every caller runs, is let in, displaced, refused, or waits.
  it('keeps its bounds and its order for any sequence of arrivals and finishes', () => {
    const rank = (standing: Standing) => STANDINGS.indexOf(standing);
    const step = fc.oneof(fc.constant({ kind: 'finish' as const }), fc.record({ kind: fc.constant('arrive' as const), standing: fc.constantFrom(...STANDINGS) }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }), fc.array(step, { maxLength: 80 }), (concurrency, queueLimit, steps) => {
        const queue = admissionQueue<{ id: number; standing: Standing }>(concurrency, queueLimit);
        const waiting = new Map<number, Standing>();
        const fates = new Map<number, string>();
        let id = 0;
        for (const s of steps) {
          if (s.kind === 'arrive') {
            const waiter = { id: id++, standing: s.standing };
            const before = queue.load();
            const arrival = queue.arrive(waiter, s.standing);
            if (arrival.outcome === 'refused') {
              fates.set(waiter.id, 'refused');
              expect(before.running).toBe(concurrency);
              expect(before.trusted + before.clean + before.suspect).toBe(queueLimit);
              expect([...waiting.values()].every((other) => rank(other) <= rank(s.standing))).toBe(true);
            } else if (arrival.outcome === 'run') fates.set(waiter.id, 'run');
            else {
              waiting.set(waiter.id, s.standing);
              if (arrival.displaced) {
                expect(rank(arrival.displaced.standing)).toBeGreaterThan(rank(s.standing));
                expect(arrival.displaced.waiter.standing).toBe(arrival.displaced.standing);
                // The worst standing waiting goes first.
                expect([...waiting.values()].every((other) => rank(other) <= rank(arrival.displaced!.standing))).toBe(true);
                waiting.delete(arrival.displaced.waiter.id);
                fates.set(arrival.displaced.waiter.id, 'displaced');
              }
            }
          } else if (queue.load().running > 0) {
            const next = queue.finish();
            if (next) {
              expect([...waiting.values()].every((other) => rank(other) >= rank(next.standing))).toBe(true);
              waiting.delete(next.id);
              fates.set(next.id, 'admitted');
            }
          }
          const load = queue.load();
          expect(load.running).toBeLessThanOrEqual(concurrency);
          expect(load.trusted + load.clean + load.suspect).toBeLessThanOrEqual(queueLimit);
          expect(load.trusted + load.clean + load.suspect).toBe(waiting.size);
        }
        expect(fates.size + waiting.size).toBe(id);
      }),
    );
  });
});

describe('the standing of a caller', () => {
  const minute = 60_000;
  const memories = () => ({ failed: keyMemory({ ttlMs: 15 * minute, maxKeys: 100 }), trusted: keyMemory({ ttlMs: 7 * 24 * 60 * minute, maxKeys: 100 }) });

  it('is suspect after a failed login from its address or naming its account, for the time-to-live after the latest failure', () => {
    const memory = memories();
    memory.failed.remember(failureKeysOf({ address: '203.0.113.7', login: 'victim' }), 0);
    expect(standingOf({ address: '203.0.113.7', login: 'someone' }, memory, minute)).toBe('suspect');
    expect(standingOf({ address: '198.51.100.1', login: 'victim' }, memory, minute)).toBe('suspect');
    expect(standingOf({ address: '198.51.100.1', login: 'someone' }, memory, minute)).toBe('clean');
    // A registration names no account: only its address counts.
    expect(standingOf({ address: '198.51.100.1', login: null }, memory, minute)).toBe('clean');
    expect(standingOf({ address: '203.0.113.7', login: null }, memory, minute)).toBe('suspect');
    // An address is not an account of the same spelling.
    expect(standingOf({ address: 'victim', login: null }, memory, minute)).toBe('clean');

    expect(standingOf({ address: '203.0.113.7', login: null }, memory, 15 * minute - 1)).toBe('suspect');
    expect(standingOf({ address: '203.0.113.7', login: null }, memory, 15 * minute)).toBe('clean');
    // A later failure starts the time again.
    memory.failed.remember(failureKeysOf({ address: '203.0.113.7', login: null }), 10 * minute);
    expect(standingOf({ address: '203.0.113.7', login: null }, memory, 20 * minute)).toBe('suspect');
    expect(standingOf({ address: null, login: 'victim' }, memory, 20 * minute)).toBe('clean');
  });

  it('is trusted for the address and account that logged in together, whatever failed from that address or for that account', () => {
    const memory = memories();
    memory.trusted.remember(trustKeysOf({ address: '198.51.100.1', login: 'alice' }), 0);
    memory.failed.remember(failureKeysOf({ address: '198.51.100.1', login: 'victim' }), 0);
    memory.failed.remember(failureKeysOf({ address: '203.0.113.9', login: 'alice' }), 0);
    expect(standingOf({ address: '198.51.100.1', login: 'alice' }, memory, minute)).toBe('trusted');
    // The trust is the pair's: not lent to another account from the address, nor to the account from another address.
    expect(standingOf({ address: '198.51.100.1', login: 'victim' }, memory, minute)).toBe('suspect');
    expect(standingOf({ address: '198.51.100.2', login: 'alice' }, memory, minute)).toBe('suspect');
    // Nor to a registration from the address (it names no account).
    expect(standingOf({ address: '198.51.100.1', login: null }, memory, minute)).toBe('suspect');
    expect(trustKeysOf({ address: '198.51.100.1', login: null })).toEqual([]);
  });

  it('forgets the least recently remembered key first past `maxKeys`, and drops expired keys as it remembers', () => {
    const memory = keyMemory({ ttlMs: 15 * minute, maxKeys: 3 });
    memory.remember(['a'], 0);
    memory.remember(['b'], 1);
    memory.remember(['c'], 2);
    memory.remember(['a'], 3); // a again: b is now the least recently remembered
    memory.remember(['d'], 4);
    expect(memory.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].filter((key) => memory.remembers([key], 5))).toEqual(['a', 'c', 'd']);
    memory.forget(['c']);
    expect(memory.remembers(['c'], 5)).toBe(false);
    // Past the time-to-live of a and d but not of e: only e stays.
    memory.remember(['e'], 4 + 15 * minute);
    expect(memory.size).toBe(1);
    expect(memory.remembers(['e'], 4 + 15 * minute)).toBe(true);
  });
});
