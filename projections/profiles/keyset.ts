import { AppError } from '../../kernel/errors.js';
import { decodeCursor, pageLimit, type PageRequest } from '../runtime/page.js';

// Keyset pagination on (time, id): the cursor is the last item's pair, and the next page starts
// strictly after it, so items added meanwhile never shift a page.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from clients and other read models: anything that is not a UUID matches nothing. */
export const isUuid = (value: string): boolean => UUID.test(value);

/** Exactly what toISOString() writes, and a real instant: Date.parse alone accepts "1" or "2024-02-30". */
export const isIsoInstant = (text: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return false;
  const ms = Date.parse(text);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === text;
};

export interface Keyset {
  limit: number;
  /** The last item of the previous page: [ISO time, id], or nulls for the first page. */
  afterTime: string | null;
  afterId: string | null;
}

export const keysetOf = (request: PageRequest): Keyset => {
  const limit = pageLimit(request);
  if (request.cursor === undefined) return { limit, afterTime: null, afterId: null };
  const [time, id] = decodeCursor(request.cursor, ['string', 'string']) as [string, string];
  if (!isIsoInstant(time) || !isUuid(id)) throw new AppError('INVALID_CURSOR');
  return { limit, afterTime: time, afterId: id };
};

export const cursorKey =
  <Row>(time: (row: Row) => Date, id: (row: Row) => string) =>
  (row: Row): string[] => [time(row).toISOString(), id(row)];
