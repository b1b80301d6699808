import type pg from 'pg';
import type { EventStore } from '../events/event-store.js';
import { createEventStoreDbEventStore } from '../events/eventstoredb/index.js';
import { createPostgresEventStore } from '../events/postgres/index.js';

/**
 * The platform's event store (docs/architecture.md "Event store"): EventStoreDB when
 * EVENTSTORE_URL is set, PostgreSQL on `pool` otherwise. Everything else stays on PostgreSQL
 * either way (read models, credentials, personal data keys). Every process that reads or writes
 * the log opens it here, so that the API, the workers and the CLIs see the same log.
 */
export const openEventStore = async (eventStoreUrl: string | undefined, pool: pg.Pool): Promise<EventStore> =>
  eventStoreUrl ? createEventStoreDbEventStore(eventStoreUrl) : createPostgresEventStore(pool);
