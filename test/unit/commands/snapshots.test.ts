import { describe, expect, it } from 'vitest';
import { handleCommand } from '../../../commands/handle-command.js';
import { loadState, SNAPSHOT_AFTER_EVENTS } from '../../../commands/load-state.js';
import { userDecider } from '../../../domain/user/user.js';
import type { EventStore } from '../../../events/index.js';
import { streams } from '../../../events/streams.js';
import { ctx, given, givenUser } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// When the write side keeps snapshots (commands/load-state.ts, commands/handle-command.ts): after a
// read that folded more than SNAPSHOT_AFTER_EVENTS events, whether the command appended, changed
// nothing or was refused; never for a short read; and a failed save never fails the command.

const ann = '0190a000-0000-7000-8000-000000000001';
const stream = streams.user(ann);
const key = userDecider.snapshot!.key;

/** A user whose stream holds `switches` privacy switches after registering (ending public). */
const givenLongUser = async (store: EventStore, switches: number) => {
  await givenUser(store, { userId: ann, username: 'ann' });
  await given(store, stream, Array.from({ length: switches }, (_, i) => ({ type: 'PrivacyChanged' as const, data: { userId: ann, private: i % 2 === 0 && i !== switches - 1 } })));
};
const kept = async (store: EventStore) => (await store.snapshots!.readFromSnapshot(stream, key)).snapshot;
const changePrivacy = (store: EventStore, isPrivate: boolean, actorId = ann) =>
  handleCommand({ store, stream, decider: userDecider, command: () => ({ type: 'ChangePrivacy', actorId, userId: ann, private: isPrivate }), ctx });

describe('keeping snapshots', () => {
  it('keeps none after a short read', async () => {
    const store = createInMemoryEventStore();
    await givenLongUser(store, SNAPSHOT_AFTER_EVENTS - 2);
    await changePrivacy(store, true);
    await loadState(store, stream, userDecider);
    expect(await kept(store)).toBeNull();
  });

  it('keeps what a long read folded, once the command appended, and the next read folds only the tail', async () => {
    const store = createInMemoryEventStore();
    await givenLongUser(store, 2 * SNAPSHOT_AFTER_EVENTS);
    await changePrivacy(store, true);
    const snapshot = await kept(store);
    expect(snapshot).toMatchObject({ revision: 2 * SNAPSHOT_AFTER_EVENTS, state: { status: 'active', private: false } });
    expect((await store.snapshots!.readFromSnapshot(stream, key)).events.map((e) => e.type)).toEqual(['PrivacyChanged']);
    expect(await loadState(store, stream, userDecider)).toMatchObject({ private: true });
  });

  it('keeps it also when the command changed nothing, or was refused', async () => {
    const unchanged = createInMemoryEventStore();
    await givenLongUser(unchanged, 2 * SNAPSHOT_AFTER_EVENTS);
    expect((await changePrivacy(unchanged, false)).appended).toBe(0);
    expect(await kept(unchanged)).not.toBeNull();

    const refused = createInMemoryEventStore();
    await givenLongUser(refused, 2 * SNAPSHOT_AFTER_EVENTS);
    await expect(changePrivacy(refused, true, '0190a000-0000-7000-8000-000000000009')).rejects.toMatchObject({ status: 403 });
    expect(await kept(refused)).not.toBeNull();
  });

  it('answers the command when the snapshot cannot be saved', async () => {
    const inner = createInMemoryEventStore();
    await givenLongUser(inner, 2 * SNAPSHOT_AFTER_EVENTS);
    const failing: EventStore = {
      ...inner,
      snapshots: { ...inner.snapshots!, saveSnapshot: () => Promise.reject(new Error('connection lost')) },
    };
    expect((await changePrivacy(failing, true)).appended).toBe(1);
    expect(await loadState(failing, stream, userDecider)).toMatchObject({ private: true });
    expect(await kept(inner)).toBeNull();
  });

  it('reads whole streams from a store that offers no snapshots', async () => {
    const store = createInMemoryEventStore({ snapshots: false });
    await givenLongUser(store, 2 * SNAPSHOT_AFTER_EVENTS);
    expect(store.snapshots).toBeUndefined();
    expect((await changePrivacy(store, true)).appended).toBe(1);
    expect(await loadState(store, stream, userDecider)).toMatchObject({ private: true });
  });
});
