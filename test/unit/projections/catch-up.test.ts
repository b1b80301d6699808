import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { START, type EventStore, type Position } from '../../../events/index.js';
import { catchUp, whenDoubled } from '../../../projections/runtime/catch-up.js';
import type { Projection, ProjectionBatch } from '../../../projections/runtime/projection.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// The replay pass gives each target a lane of its own: a slow projection must not hold a fast one
// back by more than `ahead` batches, every lane sees every batch in log order exactly once across
// an interruption and a resume, and a failing lane fails the pass only once every lane has stopped.

const logOf = async (events: number): Promise<EventStore> => {
  const store = createInMemoryEventStore();
  const metadata = { correlationId: randomUUID(), causationId: null, actorId: null, occurredAt: new Date(0).toISOString() };
  for (let i = 0; i < events; i++) {
    await store.append(`username-u${i}`, [{ eventId: randomUUID(), type: 'UsernameReserved', data: { username: `u${i}`, userId: randomUUID() }, metadata }], 'no_stream');
  }
  return store;
};

/** A projection that records what it applied and keeps its checkpoint; `gate` holds each apply until released. */
const recording = (name: string, gate?: () => Promise<void>, fail?: (batch: ProjectionBatch) => boolean) => {
  const checkpoints = new Map<string, Position>();
  const applied: string[] = [];
  let running = 0;
  const projection: Projection = {
    name,
    eventTypes: ['UsernameReserved'],
    setup: async () => undefined,
    async apply(batch, key) {
      running++;
      try {
        await gate?.();
        if (fail?.(batch)) throw new Error(`${name} failed`);
        applied.push(...batch.events.map((event) => event.streamId));
        checkpoints.set(key, batch.position);
      } finally {
        running--;
      }
    },
    checkpoint: async (key) => checkpoints.get(key) ?? START,
  };
  return { projection, applied, running: () => running };
};

const latch = () => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { wait: () => opened, open };
};

describe('the replay pass', () => {
  it('lets a fast lane run up to `ahead` batches past a slow one, and ends with both at the head in log order', async () => {
    const store = await logOf(20);
    const release = latch();
    const slow = recording('slow', release.wait);
    const fast = recording('fast');
    const pass = catchUp(store, [{ projection: slow.projection, checkpointKey: 'slow' }, { projection: fast.projection, checkpointKey: 'fast' }], { batchSize: 2, replay: true, ahead: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slow.applied).toEqual([]);
    expect(fast.applied).toHaveLength(2 * 4);
    release.open();
    const result = await pass;
    const inOrder = Array.from({ length: 20 }, (_, i) => `username-u${i}`);
    expect(slow.applied).toEqual(inOrder);
    expect(fast.applied).toEqual(inOrder);
    expect(result).toMatchObject({ events: 20, interrupted: false, position: (await store.headPosition()) });
  });

  it('without room ahead, applies batch by batch', async () => {
    const store = await logOf(6);
    const release = latch();
    const slow = recording('slow', release.wait);
    const fast = recording('fast');
    const pass = catchUp(store, [{ projection: slow.projection, checkpointKey: 'slow' }, { projection: fast.projection, checkpointKey: 'fast' }], { batchSize: 2, replay: true, ahead: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fast.applied).toHaveLength(2);
    release.open();
    await pass;
    expect(fast.applied).toHaveLength(6);
  });

  it('interrupted, reports where every lane has applied up to, and a second pass applies the rest exactly once', async () => {
    const store = await logOf(12);
    const one = recording('one');
    const two = recording('two', () => new Promise((resolve) => setTimeout(resolve, 5)));
    const targets = [{ projection: one.projection, checkpointKey: 'one' }, { projection: two.projection, checkpointKey: 'two' }];
    const stop = new AbortController();
    const first = await catchUp(store, targets, { batchSize: 2, replay: true, signal: stop.signal, onBatch: () => stop.abort() });
    expect(first.interrupted).toBe(true);
    expect(two.applied.length).toBeGreaterThanOrEqual(first.events);
    expect(first.position).toBe(await two.projection.checkpoint('two') < await one.projection.checkpoint('one') ? await two.projection.checkpoint('two') : await one.projection.checkpoint('one'));
    const second = await catchUp(store, targets, { batchSize: 2, replay: true });
    expect(second.interrupted).toBe(false);
    const inOrder = Array.from({ length: 12 }, (_, i) => `username-u${i}`);
    expect(one.applied).toEqual(inOrder);
    expect(two.applied).toEqual(inOrder);
  });

  it('fails when a lane fails, once no lane is still applying', async () => {
    const store = await logOf(20);
    const failing = recording('failing', undefined, (batch) => batch.events.some((event) => event.streamId === 'username-u5'));
    const other = recording('other', () => new Promise((resolve) => setTimeout(resolve, 2)));
    await expect(
      catchUp(store, [{ projection: failing.projection, checkpointKey: 'failing' }, { projection: other.projection, checkpointKey: 'other' }], { batchSize: 2, replay: true, ahead: 2 }),
    ).rejects.toThrow('failing failed');
    expect(other.running()).toBe(0);
    expect(failing.applied).toEqual(['username-u0', 'username-u1', 'username-u2', 'username-u3']);
    expect(other.applied.length).toBeLessThan(20);
  });
});

// The statistics refresh of a rebuild (whenDoubled) runs beside the pass, not in its way.
describe('whenDoubled', () => {
  const at = (events: number) => ({ position: START, events });

  it('starts the work each time the events doubled, without waiting for it, one run at a time', async () => {
    const started: number[] = [];
    const releases: (() => void)[] = [];
    let events = 0;
    const hook = whenDoubled(() => {
      started.push(events);
      return new Promise<void>((resolve) => releases.push(resolve));
    }, 10);
    for (events of [5, 10, 15]) await hook(at(events));
    // The hook returned while the first run is still going.
    expect(started).toEqual([10]);
    // Due at 20, it waits for the run in flight: a second starts only once the first has ended.
    events = 20;
    const due = hook(at(events));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toEqual([10]);
    releases[0]!();
    await due;
    expect(started).toEqual([10, 20]);
    let settled = false;
    const settling = hook.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    releases[1]!();
    await settling;
    expect(settled).toBe(true);
  });

  it('fails the next call, and settled, with the failure of a run', async () => {
    const hook = whenDoubled(() => Promise.reject(new Error('analyze failed')), 1);
    await hook(at(1));
    await expect(hook.settled()).rejects.toThrow('analyze failed');
    await expect(hook(at(1))).rejects.toThrow('analyze failed');
  });
});
