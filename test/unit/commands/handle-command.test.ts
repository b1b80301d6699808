import { describe, expect, it } from 'vitest';
import { blockDecider } from '../../../domain/block/block.js';
import { answerWithPosition, handleCommand } from '../../../commands/handle-command.js';
import { streams } from '../../../events/streams.js';
import { ctx, now } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// commands/handle-command.ts: the time of a decision is read once, from ctx.now, and stamped on
// the command, so the event's data and its metadata tell the same time.

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';

describe('handleCommand', () => {
  it("stamps ctx.now on the command: the event's time and occurredAt are the same", async () => {
    const store = createInMemoryEventStore();
    const stream = streams.block(ann, bob);
    const result = await handleCommand({ store, stream, decider: blockDecider, command: () => ({ type: 'Block', blockerId: ann, blockedId: bob }), ctx });
    const [event] = await store.readStream(stream);
    expect(event).toMatchObject({ type: 'Blocked', data: { blockedAt: now }, metadata: { occurredAt: now } });
    expect(result).toMatchObject({ appended: 1, position: event?.position, state: { blocked: true } });
  });

  it('appends nothing and answers the position seen when the decider emits nothing', async () => {
    const store = createInMemoryEventStore();
    const options = { store, stream: streams.block(ann, bob), decider: blockDecider, ctx };
    const first = await handleCommand({ ...options, command: () => ({ type: 'Block', blockerId: ann, blockedId: bob }) });
    const again = await answerWithPosition({ blockedId: bob }, { ...options, command: () => ({ type: 'Block', blockerId: ann, blockedId: bob }) });
    expect(again).toEqual({ blockedId: bob, position: first.position });
    expect(await store.readStream(options.stream)).toHaveLength(1);
  });
});
