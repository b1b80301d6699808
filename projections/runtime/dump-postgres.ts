import type { Queryable } from './checkpoints-postgres.js';
import type { ReadModelDump } from './read-model.js';
import { SQL_IDENTIFIER } from './table-names.js';

// Dump and drop for read models kept in PostgreSQL tables (unqualified names: the pool's
// search_path picks the generation's schema). A row is keyed by its table and primary key, and
// its value is the row as jsonb text (jsonb orders its keys, so equal rows print equally).

const checked = (tables: readonly string[]) => {
  for (const table of tables) if (!SQL_IDENTIFIER.test(table)) throw new Error(`not a table name: ${JSON.stringify(table)}`);
  return tables;
};

/**
 * `only` narrows a table to the rows that mean something (e.g. a counter row at zero, which the
 * readers treat as absent, whether it was never written or counted down).
 */
export const dumpTables = async (db: Queryable, tables: readonly string[], only: Record<string, string> = {}): Promise<ReadModelDump> => {
  const dump: ReadModelDump = new Map();
  for (const table of checked(tables)) {
    const { rows: keys } = await db.query<{ name: string }>(
      `select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
      [table],
    );
    const key = keys.length > 0 ? `jsonb_build_array(${keys.map((k) => `t.${k.name}`).join(', ')})::text` : 'to_jsonb(t)::text';
    const { rows } = await db.query<{ key: string; row: string }>(`select ${key} as key, to_jsonb(t)::text as row from ${table} t${only[table] ? ` where ${only[table]}` : ''}`);
    for (const row of rows) dump.set(`${table} ${row.key}`, row.row);
  }
  return dump;
};

/**
 * The statistics target of the refreshes while a generation is being built (read-model.ts
 * `analyze`, each time its rows doubled): a sample of 300 times it rows a table (3,000), against
 * the default 100 (30,000). Those statistics only steer the pass's own statements, index lookups
 * and appends that need the rough sizes and shapes, not the serving plans; finishBuild analyzes
 * again at the default. ANALYZE's time grows with its sample: at the default, the pass's
 * refreshes took about a sixth of the statement time of a rebuild of every read model.
 */
const BUILDING_STATISTICS_TARGET = 10;

/** `building`: a refresh during a build's pass (a smaller sample, see above); else at the server's target. */
export const analyzeTables = async (db: Queryable, tables: readonly string[], { building = false } = {}): Promise<void> => {
  if (tables.length === 0) return;
  const analyze = `analyze ${checked(tables).join(', ')}`;
  // One simple query, so that on a pool the three run on one connection; SET LOCAL ends with its transaction.
  await db.query(building ? `begin; set local default_statistics_target = ${BUILDING_STATISTICS_TARGET}; ${analyze}; commit` : analyze);
};

export const dropTables = async (db: Queryable, tables: readonly string[]): Promise<void> => {
  if (tables.length > 0) await db.query(`drop table if exists ${checked(tables).join(', ')} cascade`);
};
