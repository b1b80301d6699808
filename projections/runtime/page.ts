import { AppError } from '../../kernel/errors.js';

// Pages of read models (docs/architecture.md "HTTP API"): `{ items, nextCursor }`, keyset cursors that stay stable
// while new items arrive. A cursor is opaque to clients: base64url of the JSON of the last item's
// sort key.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /**
   * The cursor that resumes after each item, in order (toKeyedPage), for a reader that filters
   * the items and must hand out a cursor built from the last one it shows, never from one it hid.
   * Never sent to clients: the response schemas name `items` and `nextCursor` only.
   */
  cursors?: string[];
}

export interface PageRequest {
  cursor?: string | undefined;
  limit?: number | undefined;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/** The limit asked for, within 1..MAX_PAGE_LIMIT; DEFAULT_PAGE_LIMIT when absent. */
export const pageLimit = (request: PageRequest): number => {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  return Number.isFinite(limit) ? Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.trunc(limit))) : DEFAULT_PAGE_LIMIT;
};

export const encodeCursor = (key: readonly (string | number)[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The sort key in `cursor`, checked against the shape the list expects (e.g. ['number', 'string']). */
export const decodeCursor = (cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] => {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('INVALID_CURSOR');
  }
  const valid =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((part, i) => typeof part === shape[i] && (typeof part !== 'number' || Number.isFinite(part)));
  if (!valid) throw new AppError('INVALID_CURSOR');
  return key as (string | number)[];
};

/**
 * Turns `limit + 1` rows into a page: the extra row only tells that there is more, and the
 * cursor is the sort key of the last item returned.
 */
export const toPage = <Row, T>(rows: readonly Row[], limit: number, keyOf: (row: Row) => (string | number)[], map: (row: Row) => T): Page<T> => {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(map), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
};

/** toPage, with the cursor after each item (Page.cursors) for a reader that filters them. */
export const toKeyedPage = <Row, T>(rows: readonly Row[], limit: number, keyOf: (row: Row) => (string | number)[], map: (row: Row) => T): Page<T> => ({
  ...toPage(rows, limit, keyOf, map),
  cursors: rows.slice(0, limit).map((row) => encodeCursor(keyOf(row))),
});
