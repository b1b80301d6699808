import type pg from 'pg';
import { schemaV1 } from './schema-v1.sql.js';
import { schemaV2Snapshots } from './schema-v2-snapshots.sql.js';
import { schemaV3AppendBatch } from './schema-v3-append-batch.sql.js';
import { schemaV4AppendGuards } from './schema-v4-append-guards.sql.js';
import { schemaV5AppendBatchAsSet } from './schema-v5-append-batch-as-set.sql.js';
import { inTransaction } from './transaction.js';

// Ordered schema versions; a new version is appended here, never edited in place.
const migrations: readonly { version: number; sql: string }[] = [
  { version: 1, sql: schemaV1 },
  { version: 2, sql: schemaV2Snapshots },
  { version: 3, sql: schemaV3AppendBatch },
  { version: 4, sql: schemaV4AppendGuards },
  { version: 5, sql: schemaV5AppendBatchAsSet },
];

// One key for the whole database: migrations are rare and short, so serialising them across
// schemas costs nothing and spares us from deriving a key per schema.
const MIGRATION_LOCK = `select pg_advisory_xact_lock(hashtext('event_store_migrations'))`;

/**
 * Brings the event store schema (in the first schema of the search_path) up to date. Idempotent,
 * and safe when several processes start at once: they take turns under an advisory lock, and
 * each one applies only the versions the previous ones have not.
 */
export const migrateEventStore = (pool: pg.Pool): Promise<void> =>
  inTransaction(pool, async (client) => {
    await client.query(MIGRATION_LOCK);
    await client.query(`create table if not exists event_store_migrations (
      version integer primary key,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: number | null }>('select max(version) as version from event_store_migrations');
    const applied = rows[0]?.version ?? 0;
    for (const migration of migrations.filter((m) => m.version > applied)) {
      await client.query(migration.sql);
      await client.query('insert into event_store_migrations (version) values ($1)', [migration.version]);
    }
  });
