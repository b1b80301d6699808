export { createPostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
export { migrateEventStore } from './migrate.js';
export { InvalidPositionError } from './log-position.js';
