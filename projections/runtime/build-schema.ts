import type pg from 'pg';
import { ensureCheckpointTable, type Queryable } from './checkpoints-postgres.js';
import { analyzeTables } from './dump-postgres.js';
import { createUnderLock } from './postgres-transaction.js';
import type { GenerationStorage } from './read-model.js';
import { SQL_IDENTIFIER } from './table-names.js';

// A PostgreSQL read model's tables in two shapes (read-model.ts, mode 'build'). Serving, they are
// logged tables with every index. Being built from the start of the log by the replay CLI, they
// are UNLOGGED (no WAL for the bulk load) and carry only the indexes the projection's own writes
// read through (primary keys, unique conflict targets, and the lookups named in `buildIndexes`);
// `finishPostgresBuild` makes the tables logged again, then builds the other indexes once over
// the loaded rows and refreshes the planner's statistics, before the generation may serve.
//
// The building generation's checkpoint table is unlogged too: a server crash empties unlogged
// tables, and their checkpoint must go with them, so that `resume` starts such a generation over
// instead of continuing on empty tables.

export interface PostgresSchema {
  /** A name for the advisory lock that serialises set-ups (createUnderLock). */
  lock: string;
  /** The DDL: `create table if not exists` and `create [unique] index if not exists <name>` statements, `;`-separated. */
  ddl: string;
  /** Every table the DDL creates (SET LOGGED, ANALYZE, dump, drop). */
  tables: readonly string[];
  /** Secondary (non-unique) indexes the projection's own apply path reads through: built up front even while building. */
  buildIndexes?: readonly string[];
  /**
   * Tables whose every row the build's end updates in place (a derivation over the whole load),
   * by columns no index of the build shape covers: while building, their pages are filled to
   * half, so that each row's new version fits on its page (a HOT update: no new index entry, the
   * largest cost of such an update). The serving shape packs them again (SET LOGGED rewrites them).
   */
  updatedAtFinish?: readonly string[];
}

/** How full a building table of `updatedAtFinish` fills its pages (percent). */
const ROOM_TO_UPDATE = 50;

const INDEX = /create\s+(unique\s+)?index\s+if\s+not\s+exists\s+(\w+)[^;]*;?/gi;
const CREATE_TABLE = /create\s+table\s+if\s+not\s+exists/gi;

/** The statements of `schema` split into what a building generation creates now and the indexes it builds after the load. */
export const buildShape = (schema: PostgresSchema): { now: string; deferred: string[] } => {
  const keep = new Set(schema.buildIndexes ?? []);
  const deferred: string[] = [];
  const now = schema.ddl
    .replace(INDEX, (statement: string, unique: string | undefined, name: string) => {
      if (unique || keep.has(name)) return statement;
      deferred.push(statement.trim().replace(/;$/, ''));
      return '';
    })
    .replace(CREATE_TABLE, 'create unlogged table if not exists');
  return { now, deferred };
};

/** Creates the schema's tables in the shape `mode` asks for (see above), and the checkpoint table. */
export const setUpPostgresSchema = async (pool: pg.Pool, schema: PostgresSchema, mode: GenerationStorage['mode']): Promise<void> => {
  if (mode !== 'build') {
    await ensureCheckpointTable(pool);
    await createUnderLock(pool, schema.lock, schema.ddl);
    return;
  }
  await ensureCheckpointTable(pool, { unlogged: true });
  const room = checked(schema.updatedAtFinish ?? []).map((table) => `alter table ${table} set (fillfactor = ${ROOM_TO_UPDATE})`);
  await createUnderLock(pool, schema.lock, [buildShape(schema).now, ...room].join(';\n'));
};

const checked = (tables: readonly string[]) => {
  for (const table of tables) if (!SQL_IDENTIFIER.test(table)) throw new Error(`not a table name: ${JSON.stringify(table)}`);
  return tables;
};

/**
 * Brings a generation built in the 'build' shape to its serving shape: the deferred indexes, the
 * tables (and the checkpoint table) logged, statistics refreshed. Idempotent: a `resume` after a
 * crash in the middle of it runs it again.
 */
export const finishPostgresBuild = async (db: Queryable, schema: PostgresSchema): Promise<void> => {
  // Logged first: SET LOGGED rewrites a table with every index it has, so the deferred ones come after.
  // Packed again by the rewrite that follows.
  for (const table of checked(schema.updatedAtFinish ?? [])) await db.query(`alter table ${table} reset (fillfactor)`);
  for (const table of checked([...schema.tables, 'projection_checkpoints'])) await db.query(`alter table ${table} set logged`);
  for (const statement of buildShape(schema).deferred) await db.query(statement);
  await analyzeTables(db, schema.tables);
};
