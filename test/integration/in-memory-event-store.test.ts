import { createInMemoryEventStore } from '../support/in-memory-event-store.js';
import { eventStoreContract } from './event-store.contract.js';

// The in-memory store that the command handler tests run on (test/unit/commands) keeps the
// contract every adapter keeps, so that what those tests show holds on PostgreSQL too.
eventStoreContract('in memory', async () => {
  const store = createInMemoryEventStore();
  return { store, cleanup: () => store.close() };
});
