// A global log position is an opaque token that sorts in log order as a plain string, so that
// checkpoints, `position` in command responses and `minPosition` work the same on every event
// store. Adapters build tokens of fixed width so that string order equals log order.
export type Position = string & { readonly __brand: 'Position' };

/** Before the first event of the log. */
export const START: Position = '' as Position;

export const asPosition = (token: string): Position => token as Position;

/**
 * What every adapter's token looks like: one to four fields of 16 lowercase hex digits, separated
 * by colons (PostgreSQL: transaction id and global position; the in-memory store: an index).
 * Fixed-width fields keep string order equal to log order; the HTTP API refuses a ?minPosition=
 * of any other shape (read-api/schemas.ts) before it is compared with anything.
 */
export const POSITION_FORMAT = /^[0-9a-f]{16}(?::[0-9a-f]{16}){0,3}$/;

/** True when `token` has the shape of a position (START, the empty token, included). */
export const isPosition = (token: string): boolean => token === START || POSITION_FORMAT.test(token);

export const comparePositions = (a: Position, b: Position): number => (a < b ? -1 : a > b ? 1 : 0);

export const maxPosition = (...positions: Position[]): Position =>
  positions.reduce((max, p) => (p > max ? p : max), START);
