import { START, type Position } from '../../events/index.js';

// Lag is head minus checkpoint. Positions are opaque tokens, but the PostgreSQL store's are
// `<transaction id>:<global position>` in fixed-width hex, and the global position counts the
// events appended. The count is APPROXIMATE: the global position comes from a sequence, which
// skips numbers (appends that rolled back), and the log is ordered by transaction first, so a
// checkpoint can sit past a few events with lower numbers still to come. Good enough for a
// dashboard and an alert; never use it to decide correctness.
const POSTGRES_TOKEN = /^[0-9a-f]{16}:([0-9a-f]{16})$/;

/** The global position counted in a PostgreSQL token; undefined for tokens of another store. */
export const globalPositionOf = (position: Position): bigint | undefined => {
  if (position === START) return 0n;
  const match = POSTGRES_TOKEN.exec(position);
  return match ? BigInt(`0x${match[1]}`) : undefined;
};

/**
 * Roughly how many events `checkpoint` is behind `head`: 0 when caught up (checkpoint at or past
 * head), at least 1 otherwise; exactly 1 for tokens of another store, where "behind" is all we know.
 */
export const lagBetween = (checkpoint: Position, head: Position): number => {
  if (checkpoint >= head) return 0;
  const from = globalPositionOf(checkpoint);
  const to = globalPositionOf(head);
  if (from === undefined || to === undefined) return 1;
  return Math.max(1, Number(to - from));
};
