import { describe, expect, it } from 'vitest';
import { streams } from '../../events/index.js';
import { createParkingLot } from '../../projections/runtime/parked-events.js';
import { runReplay } from '../support/replay-cli.js';
import { useTestApp } from '../support/test-app.js';

// Parked events as operators see them (docs/architecture.md "Parked events"): /ready counts them
// per projection (without answering 503), `replay parked` lists them, `replay retry-parked`
// re-applies them through the live projection and removes those that succeed. The parking itself
// (bounded retries, one event at a time, transient errors never parked) is in
// test/integration/projector-runtime.test.ts; here a real event of the log is parked as the
// projector would park it.

const { t, api } = useTestApp();

describe('parked events', () => {
  it('are counted by /ready, listed by replay parked, and re-applied and removed by replay retry-parked', async () => {
    const user = await api.register('parked.user');
    const [registered] = await t.platform.commands.store.readStream(streams.user(user.userId));
    await createParkingLot(t.db.pool).park('profiles', registered!, new Error('could not apply'), 5);

    const ready = await api.call('GET', '/ready');
    expect(ready.status).toBe(200);
    const parked = Object.fromEntries((ready.body.projections as { name: string; parked: number }[]).map((p) => [p.name, p.parked]));
    expect(parked).toMatchObject({ profiles: 1, search: 0 });

    const listed = await runReplay(t, ['parked', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.records.at(-1)).toMatchObject({
      type: 'result',
      ok: true,
      parked: [{ projection: 'profiles', eventId: registered!.eventId, type: 'UserRegistered', error: 'could not apply', attempts: 5 }],
    });
    expect((await runReplay(t, ['parked', 'search', '--json'])).records.at(-1)).toMatchObject({ parked: [] });
    expect((await runReplay(t, ['retry-parked', 'nope'])).code).toBe(2);

    const retried = await runReplay(t, ['retry-parked', 'profiles', '--json']);
    expect(retried.code).toBe(0);
    expect(retried.records.at(-1)).toMatchObject({ ok: true, retried: [registered!.eventId], stillFailing: [] });
    expect((await runReplay(t, ['parked', '--json'])).records.at(-1)).toMatchObject({ parked: [] });
    const after = (await api.call('GET', '/ready')).body.projections as { name: string; parked: number }[];
    expect(after.every((p) => p.parked === 0)).toBe(true);
  });
});
