import type pg from 'pg';
import { SQL_IDENTIFIER } from './table-names.js';

// One statement writes a whole table's share of a batch (the "fold a batch, then write it in
// bulk" shape of projection.ts): the rows travel as one JSON array, are unpacked by
// json_to_recordset, and are merged into the stored rows by a rule per column. Plain `json`, not
// `jsonb`: the text is unpacked once, without first being built into a jsonb value. A field a row
// leaves out is unpacked as NULL, as an explicit null is: rows that carry only what changed are
// smaller to send and to parse (most rows of a batch only move a counter). The rules are
// what makes a batch applied twice, or an older batch after newer ones, change nothing:
// set-once facts keep the first value, last-writer-wins registers keep the higher stream
// revision, counters only ever add deltas computed against the stored state.

/** How a stored row takes a column's incoming value when the key is already there. */
export type MergeRule =
  /** Set once (creation facts): the stored value stays once there is one. */
  | 'keep'
  /** The incoming value replaces the stored one (guard the row with `newerRevision`). */
  | 'replace'
  /** The incoming value, unless it is null (then the stored one stays). */
  | 'replaceUnlessNull'
  /** A counter: the incoming delta is added. */
  | 'add'
  /** A flag that, once true, stays true. */
  | 'or'
  /** The larger of the two (a revision, a read-up-to time). */
  | 'greatest'
  /** A last-writer-wins register: the incoming value only when its revision column is higher. */
  | { newerThan: string }
  /** Anything else: the SQL of the new value, given the stored row's name (`excluded` is the incoming one). */
  | { sql: (stored: string) => string };

export interface UpsertColumn {
  /** The table's column. */
  name: string;
  /** Its SQL type, as json_to_recordset unpacks it. */
  type: string;
  /** The key of each JSON row that carries it (default: `name`). */
  field?: string;
  /** What is inserted, from the unpacked value (default: the value as is), e.g. `truncMs`. */
  insert?: (value: string) => string;
  /** How an existing row takes the incoming value (default: left as stored, e.g. the key). */
  merge?: MergeRule;
}

export interface BulkUpsertSpec {
  table: string;
  /** The conflict target: the table's key columns. */
  key: readonly string[];
  columns: readonly UpsertColumn[];
  /** Rows go in key order, so that two instances writing the same rows lock them in one order. */
  ordered?: boolean;
  /** A row whose stored revision (this column) is not below the incoming one is left untouched. */
  newerRevision?: string;
}

/** Truncates a timestamp to milliseconds, the precision of the events' ISO times. */
export const truncMs = (value: string) => `date_trunc('milliseconds', ${value})`;

/** The register columns `name` and `name_rev` (last writer wins by stream revision). */
export const registerColumns = (name: string, type: string, insert?: (value: string) => string): UpsertColumn[] => [
  { name, type, ...(insert ? { insert } : {}), merge: { newerThan: `${name}_rev` } },
  { name: `${name}_rev`, type: 'int', merge: 'greatest' },
];

const merged = (column: string, rule: MergeRule, stored: string): string => {
  const incoming = `excluded.${column}`;
  const current = `${stored}.${column}`;
  if (typeof rule === 'object') {
    return 'sql' in rule ? rule.sql(stored) : `case when excluded.${rule.newerThan} > ${stored}.${rule.newerThan} then ${incoming} else ${current} end`;
  }
  switch (rule) {
    case 'keep':
      return `coalesce(${current}, ${incoming})`;
    case 'replace':
      return incoming;
    case 'replaceUnlessNull':
      return `coalesce(${incoming}, ${current})`;
    case 'add':
      return `${current} + ${incoming}`;
    case 'or':
      return `${current} or ${incoming}`;
    case 'greatest':
      return `greatest(${current}, ${incoming})`;
  }
};

const INCOMING = 'incoming';

/** The statement for `spec`; its one parameter is the JSON array of rows. */
export const bulkUpsert = ({ table, key, columns, ordered, newerRevision }: BulkUpsertSpec): string => {
  const fieldOf = (column: UpsertColumn) => column.field ?? column.name;
  const value = (column: UpsertColumn) => {
    const unpacked = `${INCOMING}.${quoted(fieldOf(column))}`;
    return column.insert ? column.insert(unpacked) : unpacked;
  };
  const keyFields = key.map((name) => `${INCOMING}.${quoted(fieldOf(columns.find((column) => column.name === name)!))}`);
  const updates = columns.flatMap((column) => (column.merge ? [`${column.name} = ${merged(column.name, column.merge, table)}`] : []));
  return `insert into ${table} (${columns.map((column) => column.name).join(', ')})
select ${columns.map(value).join(', ')}
from json_to_recordset($1::json) as ${INCOMING}(${columns.map((column) => `${quoted(fieldOf(column))} ${column.type}`).join(', ')})${
    ordered ? `\norder by ${keyFields.join(', ')}` : ''
  }
on conflict (${key.join(', ')}) do update set
  ${updates.join(',\n  ')}${newerRevision ? `\nwhere ${table}.${newerRevision} < excluded.${newerRevision}` : ''}`;
};

/**
 * A row that one stream writes whole (a follow, a block, a like, a notification source): the
 * whole row is one register, replaced only by an incoming row of a higher stream revision `rev`.
 */
export const revisionedRowUpsert = (spec: Omit<BulkUpsertSpec, 'newerRevision'>): string =>
  bulkUpsert({ ...spec, newerRevision: 'rev', columns: [...spec.columns, { name: 'rev', type: 'int', merge: 'replace' }] });

/** Quotes a JSON key that is not a plain lowercase identifier (a camelCase field). */
const quoted = (field: string) => (SQL_IDENTIFIER.test(field) ? field : `"${field}"`);

/** Runs a bulk upsert on `rows` (nothing when there are none). */
export const upsertRows = async (db: pg.ClientBase, statement: string, rows: readonly object[]): Promise<void> => {
  if (rows.length > 0) await db.query(statement, [JSON.stringify(rows)]);
};
