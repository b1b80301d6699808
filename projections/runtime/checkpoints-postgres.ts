import type pg from 'pg';
import { asPosition, START, type Position } from '../../events/index.js';

// Projection checkpoints in PostgreSQL, one row per checkpoint key (a projection's name, or its
// name plus partition). PostgreSQL read models save theirs in the transaction of their writes
// (pass the transaction's client); Redis read models save theirs after their Redis writes.
//
// Positions are opaque tokens that sort in log order as plain strings, so the column uses the
// "C" collation: byte order, whatever the database's locale would make of ':' or hex letters.

export type Queryable = pg.Pool | pg.PoolClient;

const create = (unlogged: boolean) => `create ${unlogged ? 'unlogged ' : ''}table if not exists projection_checkpoints (
  key text primary key,
  position text collate "C" not null,
  updated_at timestamptz not null default now()
)`;

// The `where` makes a late or repeated save (a batch applied twice, an older instance still
// finishing) a no-op instead of moving the checkpoint backwards.
const SAVE = `insert into projection_checkpoints (key, position) values ($1, $2)
  on conflict (key) do update set position = excluded.position, updated_at = now()
  where projection_checkpoints.position < excluded.position`;

/**
 * Several projections set up at once may race on `create table if not exists`; the loser's error
 * (duplicate table, duplicate row type, or the catalog's unique index) means the table is there.
 */
const ALREADY_EXISTS = new Set(['42P07', '42710', '23505']);

/**
 * `unlogged` for a generation being built whose tables are unlogged (build-schema.ts): a crash
 * then empties the checkpoint with them.
 */
export const ensureCheckpointTable = async (db: Queryable, { unlogged = false } = {}): Promise<void> => {
  try {
    await db.query(create(unlogged));
  } catch (error) {
    if (!ALREADY_EXISTS.has((error as { code?: string }).code ?? '')) throw error;
  }
};

/** The checkpoint stored under `key`; START when there is none. */
export const loadCheckpoint = async (db: Queryable, key: string): Promise<Position> => {
  const { rows } = await db.query<{ position: string }>('select position from projection_checkpoints where key = $1', [key]);
  return rows[0] ? asPosition(rows[0].position) : START;
};

/** Several keys at once (e.g. every partition of a projection); missing keys come back as START. */
export const loadCheckpoints = async (db: Queryable, keys: readonly string[]): Promise<Map<string, Position>> => {
  const { rows } = await db.query<{ key: string; position: string }>(
    'select key, position from projection_checkpoints where key = any($1::text[])',
    [keys],
  );
  const found = new Map(rows.map((row) => [row.key, asPosition(row.position)]));
  return new Map(keys.map((key) => [key, found.get(key) ?? START]));
};

/** Stores `position` under `key` unless the stored checkpoint is already at or past it. */
export const saveCheckpoint = async (db: Queryable, key: string, position: Position): Promise<void> => {
  await db.query(SAVE, [key, position]);
};

/** Deletes the checkpoint stored under `key` and those of its partitions (`key#i/n`). */
export const deleteCheckpoints = async (db: Queryable, key: string): Promise<void> => {
  await db.query("delete from projection_checkpoints where key = $1 or key like $1 || '#%'", [key]);
};
