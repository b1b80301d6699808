import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../app/metrics.js';
import { START } from '../../../events/index.js';
import type { ProjectorStatus } from '../../../projections/runtime/runner.js';

const status = (name: string, parked: number): ProjectorStatus => ({
  name,
  checkpointKey: name,
  checkpoint: START,
  head: START,
  lag: 0,
  eventsPerSecond: 0,
  running: true,
  failures: 0,
  lastError: null,
  parked,
});

describe('projection_parked_events_total', () => {
  it('counts the events each projector of the process parked, per projection', async () => {
    const metrics = createMetrics();
    let statuses = [status('search', 0), status('feed', 0)];
    metrics.watchProjectors(() => statuses);
    expect(await metrics.registry.metrics()).not.toMatch(/projection_parked_events_total\{/);
    statuses = [status('search', 2), status('feed', 0)];
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/projection_parked_events_total\{projection="search"\} 2/);
    expect(text).not.toMatch(/projection_parked_events_total\{projection="feed"\}/);
  });
});
