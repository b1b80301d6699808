// A global log position is an opaque token that sorts in log order as a plain string, so that
// checkpoints, `position` in command responses and `minPosition` work the same on every event
// store. Adapters build tokens of fixed width so that string order equals log order.
export type Position = string & { readonly __brand: 'Position' };

/** Before the first event of the log. */
export const START: Position = '' as Position;

export const asPosition = (token: string): Position => token as Position;

export const comparePositions = (a: Position, b: Position): number => (a < b ? -1 : a > b ? 1 : 0);

export const maxPosition = (...positions: Position[]): Position =>
  positions.reduce((max, p) => (p > max ? p : max), START);
