export { createEventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb-event-store.js';
export { InvalidCommitPositionError } from './commit-position.js';
