import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SQL_IDENTIFIER } from './table-names.js';

// Appends rows with COPY FROM STDIN (text format), for tables a write only ever appends to
// (no conflict to resolve, no expression to compute): the server parses each row's fields by
// their column types and inserts them, without the planner, the executor's per-row expressions
// or a JSON document to unpack (bulk-upsert.ts's json_to_recordset). Runs on the caller's
// client, inside its transaction when it has one.

/**
 * An ISO time in UTC of at most millisecond precision, as the events carry: what an upsert's
 * date_trunc('milliseconds') (bulk-upsert.ts truncMs) leaves as it is, so that COPY may store it as given.
 */
export const MILLISECOND_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/;

const ESCAPED = /[\\\n\r\t]/g;
const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field in COPY's text format: \N for null, booleans as t/f, objects as JSON, special characters escaped. */
export const copyField = (value: unknown): string => {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`not a finite number for COPY: ${value}`);
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  // Tested first: most fields (ids, times, numbers) have nothing to escape, and a replace with a callback costs more than the test.
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (character) => ESCAPES[character]!) : text;
};

/** A text[] value as COPY's text format takes it: an array literal, every element quoted (copyField then escapes it as any field). */
export const textArrayField = (values: readonly string[] | null | undefined): string | null | undefined =>
  values && `{${values.map((value) => `"${value.replace(ARRAY_QUOTED, '\\$&')}"`).join(',')}}`;
const ARRAY_QUOTED = /["\\]/g;

/** The COPY text of `rows`: one line a row, the fields of `columns` in order, tab-separated. */
export const copyText = (columns: readonly string[], rows: readonly Record<string, unknown>[]): string => {
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) text += (i === 0 ? '' : '\t') + copyField(row[columns[i]!]);
    text += '\n';
  }
  return text;
};

/** Appends `rows` (their fields named by `columns`) to `table` (nothing when there are none). */
export const copyRows = async (db: pg.ClientBase, table: string, columns: readonly string[], rows: readonly Record<string, unknown>[]): Promise<void> => {
  if (rows.length === 0) return;
  for (const name of [table, ...columns]) if (!SQL_IDENTIFIER.test(name)) throw new Error(`not an SQL identifier: ${JSON.stringify(name)}`);
  const copy = db.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  await pipeline(Readable.from([copyText(columns, rows)]), copy);
};

/**
 * Appends with COPY the rows `appendable` picks (rows a build's only writer knows are not stored
 * yet, whose fields COPY stores as the upsert would: e.g. times already at millisecond
 * precision, MILLISECOND_TIME), each as `toColumns` makes it, and returns the others, for the
 * upsert. The appended rows go in the order of `order` (their primary key's, as the table sorts
 * it: byFields), so that each insert into the key lands beside the one before, on pages just
 * touched, rather than anywhere in the index (a feed's COPY of fan-out entries cost half as much
 * so). Runs on the caller's client, inside its transaction.
 */
export const appendWhere = async <Row>(
  db: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly Row[],
  { appendable, toColumns, order }: { appendable: (row: Row) => boolean; toColumns: (row: Row) => Record<string, unknown>; order: (a: Row, b: Row) => number },
): Promise<Row[]> => {
  const appended: Row[] = [];
  const upserted: Row[] = [];
  for (const row of rows) (appendable(row) ? appended : upserted).push(row);
  await copyRows(db, table, columns, appended.sort(order).map(toColumns));
  return upserted;
};

/** Code unit order: that of lower-case uuids and of "C"-collated ASCII ids, as their keys sort them. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders rows by their string fields `fields`, in turn (compareText): a table's key columns, the
 * order in which a COPY best appends rows to it (appendWhere). Compared in place, with no key
 * string built per row (which cost a feed's build three times the sort).
 */
export const byFields =
  <Row>(...fields: (keyof Row)[]) =>
  (a: Row, b: Row): number => {
    for (const field of fields) {
      const order = compareText(a[field] as string, b[field] as string);
      if (order !== 0) return order;
    }
    return 0;
  };
