import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventStore } from '../../events/event-store.js';
import type { SnapshotStore, StreamSnapshot } from '../../events/snapshot-store.js';

// The one contract every SnapshotStore adapter passes (events/snapshot-store.ts): reading from a
// snapshot gives the snapshot kept under that key and exactly the events after its revision;
// without one, the whole stream; keys and streams never see each other's snapshots; a save never
// replaces a snapshot of a later revision. Each test writes to streams of its own.

export interface SnapshotStoreUnderTest {
  store: EventStore & { snapshots: SnapshotStore };
  cleanup(): Promise<void>;
}

const at = '2025-03-01T12:00:00.000Z';
const privacyChanged = (userId: string, isPrivate: boolean): NewEvent => ({
  eventId: uuidv7(),
  type: 'PrivacyChanged',
  data: { userId, private: isPrivate },
  metadata: { correlationId: uuidv7(), causationId: null, actorId: userId, occurredAt: at },
});

const ids = (events: readonly RecordedEvent[]) => events.map((e) => e.eventId);

export const snapshotStoreContract = (name: string, factory: () => Promise<SnapshotStoreUnderTest>): void => {
  describe(`SnapshotStore contract: ${name}`, () => {
    let subject: SnapshotStoreUnderTest;
    let store: SnapshotStoreUnderTest['store'];
    let snapshots: SnapshotStore;
    const streamOf = () => `user-${uuidv7()}`;

    /** A stream of `count` events, and its events as read. */
    const givenStream = async (count: number) => {
      const streamId = streamOf();
      const userId = uuidv7();
      await store.append(
        streamId,
        Array.from({ length: count }, (_, i) => privacyChanged(userId, i % 2 === 0)),
        'no_stream',
      );
      return { streamId, events: await store.readStream(streamId) };
    };
    const snapshotAt = (events: readonly RecordedEvent[], revision: number, state: unknown = { revision }): StreamSnapshot => ({
      revision,
      position: events[revision]!.position,
      state,
    });

    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
      snapshots = store.snapshots;
    });
    afterEach(async () => subject.cleanup());

    it('reads the whole stream when no snapshot is kept, and nothing for a stream that does not exist', async () => {
      const { streamId, events } = await givenStream(5);
      expect(await snapshots.readFromSnapshot(streamId, 'k.v1')).toEqual({ snapshot: null, events });
      expect(await snapshots.readFromSnapshot(streamOf(), 'k.v1')).toEqual({ snapshot: null, events: [] });
    });

    it('reads the snapshot kept and exactly the events after its revision, however the state is nested', async () => {
      const { streamId, events } = await givenStream(10);
      const state = { status: 'active', list: ['a', 'b'], nested: { z: 1, a: [true, null], text: 'é 漢 😀' }, none: null };
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 6, state));

      const read = await snapshots.readFromSnapshot(streamId, 'k.v1');
      expect(read.snapshot).toEqual(snapshotAt(events, 6, state));
      expect(ids(read.events)).toEqual(ids(events.slice(7)));
      expect(read.events).toEqual(events.slice(7));
    });

    it('reads no events after a snapshot of the last revision', async () => {
      const { streamId, events } = await givenStream(3);
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 2));
      expect(await snapshots.readFromSnapshot(streamId, 'k.v1')).toEqual({ snapshot: snapshotAt(events, 2), events: [] });
    });

    it('never gives a snapshot under another key, nor another stream’s', async () => {
      const { streamId, events } = await givenStream(4);
      const other = await givenStream(4);
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 3));

      expect(await snapshots.readFromSnapshot(streamId, 'k.v2')).toEqual({ snapshot: null, events });
      expect(await snapshots.readFromSnapshot(other.streamId, 'k.v1')).toEqual({ snapshot: null, events: other.events });
    });

    it('keeps one snapshot per key: a new key does not replace the old one', async () => {
      const { streamId, events } = await givenStream(6);
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 4, 'old shape'));
      await snapshots.saveSnapshot(streamId, 'k.v2', snapshotAt(events, 1, 'new shape'));

      expect((await snapshots.readFromSnapshot(streamId, 'k.v1')).snapshot?.state).toBe('old shape');
      expect((await snapshots.readFromSnapshot(streamId, 'k.v2')).snapshot?.state).toBe('new shape');
    });

    it('only moves forward: an older revision never replaces a newer one; a later one does', async () => {
      const { streamId, events } = await givenStream(8);
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 5));
      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 2));
      expect((await snapshots.readFromSnapshot(streamId, 'k.v1')).snapshot).toEqual(snapshotAt(events, 5));

      await snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, 7));
      const read = await snapshots.readFromSnapshot(streamId, 'k.v1');
      expect(read).toEqual({ snapshot: snapshotAt(events, 7), events: [] });
    });

    it('keeps the newest of saves racing each other', async () => {
      const { streamId, events } = await givenStream(12);
      const revisions = [3, 11, 7, 0, 9, 11, 5];
      await Promise.all(revisions.map((revision) => snapshots.saveSnapshot(streamId, 'k.v1', snapshotAt(events, revision))));
      expect((await snapshots.readFromSnapshot(streamId, 'k.v1')).snapshot).toEqual(snapshotAt(events, 11));
    });

    it('refuses a revision that is not one', async () => {
      const { streamId, events } = await givenStream(1);
      await expect(snapshots.saveSnapshot(streamId, 'k.v1', { ...snapshotAt(events, 0), revision: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(snapshots.saveSnapshot(streamId, 'k.v1', { ...snapshotAt(events, 0), revision: 0.5 })).rejects.toBeInstanceOf(RangeError);
      expect((await snapshots.readFromSnapshot(streamId, 'k.v1')).snapshot).toBeNull();
    });
  });
};
