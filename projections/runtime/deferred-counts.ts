import type pg from 'pg';
import type { Queryable } from './checkpoints-postgres.js';
import { copyRows } from './copy-rows.js';

// While a generation is built (mode 'build', before finishBuild), the counter moves of rows a
// batch changes nothing else of (a like on a post of an earlier batch, most of a rebuild's
// counter writes) are not added to their rows: they are appended to a table of deltas, with COPY
// (copy-rows.ts) and no index to check, instead of an update of the row (a new row version, and
// on a table with a stored generated column, e.g. search's tsvector, that column computed again),
// and summed into the rows once, when the build finishes. The deltas are the ones
// count-deltas.ts computes; only where they are added waits. Nothing reads a counter before the
// generation serves, and the appends commit with the batch and its checkpoint (unlogged, like the
// tables: a crash loses all of them together). Used by profiles (users, posts, comments) and
// search in PostgreSQL (posts).

export interface CountedTable {
  table: string;
  /** Its counter columns (integers a delta is added to). */
  counters: readonly string[];
}

export interface DeferredCounts<Table extends string> {
  /** The deltas tables (a build's set-up creates them; the read model's drop removes them). */
  tables: readonly string[];
  create(pool: pg.Pool): Promise<unknown>;
  /** Appends count-only rows of `table` to its deltas (of each row, its id and counters). */
  defer(db: pg.ClientBase, table: Table, rows: readonly { id: string }[]): Promise<void>;
  /**
   * Adds every deferred delta to its row (a row only counted so far is created, as a batch's
   * upsert would have), then drops the deltas; run it in a transaction, so that a finish
   * interrupted and run again adds them once. Nothing to do when there are none (the tables are gone).
   */
  addAll(db: Queryable): Promise<void>;
}

const deltasOf = (table: string) => `${table}_count_deltas`;

export const deferredCounts = <Table extends string>(counted: readonly (CountedTable & { table: Table })[]): DeferredCounts<Table> => ({
  tables: counted.map(({ table }) => deltasOf(table)),
  create: (pool) =>
    pool.query(
      counted.map(({ table, counters }) => `create unlogged table if not exists ${deltasOf(table)} (id uuid not null, ${counters.map((c) => `${c} integer not null`).join(', ')})`).join(';\n'),
    ),
  async defer(db, table, rows) {
    const { counters } = counted.find((entry) => entry.table === table)!;
    await copyRows(db, deltasOf(table), ['id', ...counters], rows as readonly Record<string, unknown>[]);
  },
  async addAll(db) {
    for (const { table, counters } of counted) {
      const { rows } = await db.query<{ present: boolean }>('select to_regclass($1) is not null as present', [deltasOf(table)]);
      if (!rows[0]!.present) continue;
      await db.query(
        `insert into ${table} (id, ${counters.join(', ')})
         select id, ${counters.map((c) => `sum(${c})`).join(', ')} from ${deltasOf(table)} group by id order by id
         on conflict (id) do update set ${counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`,
      );
      await db.query(`drop table ${deltasOf(table)}`);
    }
  },
});
