import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../events/envelope.js';
import { ConcurrencyError, type EventStore } from '../../events/event-store.js';
import { createEventStoreDbEventStore } from '../../events/eventstoredb/index.js';
import { eventStoreContract } from './event-store.contract.js';

// The event store contract against an EventStoreDB server, whenever EVENTSTORE_URL names one
// (README "EventStoreDB": no server can be installed from this project's registries, so without
// the variable this file is skipped and the adapter is checked by the type checker and
// test/unit/events/eventstoredb-*.test.ts only). Each test writes to streams of its own prefix,
// so the server needs no reset between runs.
const url = process.env.EVENTSTORE_URL;

describe.skipIf(!url)('EventStoreDB event store', () => {
  eventStoreContract('EventStoreDB', async () => {
    const store = createEventStoreDbEventStore(url!);
    return { store, cleanup: () => store.close() };
  });

  describe('beyond the contract', () => {
    let store: EventStore;
    beforeAll(() => {
      store = createEventStoreDbEventStore(url!);
    });
    afterAll(() => store.close());

    const liked = (): NewEvent => ({
      eventId: uuidv7(),
      type: 'Liked',
      data: { postId: uuidv7(), userId: uuidv7(), postAuthorId: uuidv7(), likedAt: '2025-03-01T12:00:00.000Z' },
      metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' },
    });

    it('deduplicates a retried append by its event ids: the retry answers as the first did and writes nothing', async () => {
      const stream = `esdb-${uuidv7()}`;
      const batch = [liked(), liked()];
      const first = await store.append(stream, batch, 'no_stream');
      const retry = await store.append(stream, batch, 'no_stream');

      expect(retry).toEqual(first);
      expect((await store.readStream(stream)).map((e) => e.eventId)).toEqual(batch.map((e) => e.eventId));
      // New events at the retried expectation are a conflict, as on every store.
      await expect(store.append(stream, [liked()], 'no_stream')).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('calls onAppend listeners after an append', async () => {
      let calls = 0;
      const unsubscribe = store.onAppend!(() => calls++);
      try {
        const deadline = Date.now() + 15_000;
        // The watch subscribes from the end of $all: appends go on until one is heard.
        while (calls === 0 && Date.now() < deadline) {
          await store.append(`esdb-${uuidv7()}`, [liked()], 'no_stream');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(calls).toBeGreaterThan(0);
      } finally {
        unsubscribe();
      }
    });
  });
});
