import type pg from 'pg';
import type { Queryable } from '../runtime/checkpoints-postgres.js';
import { inTransaction } from '../runtime/postgres-transaction.js';

// While a generation is built (mode 'build', before finishBuild), the counter moves of rows a
// batch changes nothing else of (a like on a post of an earlier batch, most of a rebuild's
// counter writes) are not added to their rows: they are appended to a table of deltas, an
// insert with no index to check instead of an update, and summed into the rows once, when the
// build finishes. The deltas are the ones count-deltas.ts computes; only where they are added
// waits. Nothing reads a counter before the generation serves, and the appends commit with the
// batch and its checkpoint (unlogged, like the tables: a crash loses all of them together).

interface Counted {
  table: 'users' | 'posts' | 'comments';
  counters: readonly string[];
}

const COUNTED: readonly Counted[] = [
  { table: 'users', counters: ['follower_count', 'following_count', 'post_count'] },
  { table: 'posts', counters: ['like_count', 'comment_count', 'share_count'] },
  { table: 'comments', counters: ['reply_count'] },
];

const deltasOf = (table: string) => `${table}_count_deltas`;

/** The deltas tables (a build's set-up creates them; the read model's drop removes them). */
export const DEFERRED_COUNT_TABLES = COUNTED.map(({ table }) => deltasOf(table));

export const createDeferredCountTables = (pool: pg.Pool): Promise<unknown> =>
  pool.query(
    COUNTED.map(({ table, counters }) => `create unlogged table if not exists ${deltasOf(table)} (id uuid not null, ${counters.map((c) => `${c} integer not null`).join(', ')})`).join(';\n'),
  );

/** Appends count-only rows of `table` to its deltas (of each row, its id and counters). */
export const deferCounts = async (db: pg.ClientBase, table: Counted['table'], rows: readonly object[]): Promise<void> => {
  if (rows.length === 0) return;
  const { counters } = COUNTED.find((counted) => counted.table === table)!;
  await db.query(
    `insert into ${deltasOf(table)} (id, ${counters.join(', ')})
     select id, ${counters.join(', ')} from json_to_recordset($1::json) as d(id uuid, ${counters.map((c) => `${c} int`).join(', ')})`,
    [JSON.stringify(rows, ['id', ...counters])],
  );
};

/**
 * Adds every deferred delta to its row (a row only counted so far is created, as a batch's
 * upsert would have), then drops the deltas: one transaction, so that a finish interrupted and
 * run again adds them once. Nothing to do when there are none (the tables are gone).
 */
export const addDeferredCounts = (pool: pg.Pool): Promise<void> =>
  inTransaction(pool, async (db: Queryable) => {
    for (const { table, counters } of COUNTED) {
      const { rows } = await db.query<{ present: boolean }>('select to_regclass($1) is not null as present', [deltasOf(table)]);
      if (!rows[0]!.present) continue;
      await db.query(
        `insert into ${table} (id, ${counters.join(', ')})
         select id, ${counters.map((c) => `sum(${c})`).join(', ')} from ${deltasOf(table)} group by id order by id
         on conflict (id) do update set ${counters.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ')}`,
      );
      await db.query(`drop table ${deltasOf(table)}`);
    }
  });
