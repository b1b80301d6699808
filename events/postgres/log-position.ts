import { asPosition, START, type Position } from '../position.js';

// A PostgreSQL log position is the composite (transaction id, global position): the log is read in
// that order (docs/architecture.md "Event store"). Both parts are 64-bit, written as 16 lowercase hex digits each, so that
// comparing two tokens as plain strings compares them in log order.
export interface LogPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

const TOKEN = /^([0-9a-f]{16}):([0-9a-f]{16})$/;

/** Before every row: transaction ids and identity values are both positive. */
export const LOG_START: LogPosition = { transactionId: 0n, globalPosition: 0n };

const hex16 = (value: bigint): string => value.toString(16).padStart(16, '0');

export const encodeLogPosition = (position: LogPosition): Position =>
  asPosition(`${hex16(position.transactionId)}:${hex16(position.globalPosition)}`);

export class InvalidPositionError extends Error {
  constructor(readonly token: string) {
    super(`not a PostgreSQL event store position: ${JSON.stringify(token)}`);
    this.name = 'InvalidPositionError';
  }
}

export const decodeLogPosition = (token: Position): LogPosition => {
  if (token === START) return LOG_START;
  const match = TOKEN.exec(token);
  if (!match) throw new InvalidPositionError(token);
  return { transactionId: BigInt(`0x${match[1]}`), globalPosition: BigInt(`0x${match[2]}`) };
};

/** Rows give xid8 and bigint columns as decimal strings (pg's default parsing keeps 64 bits exact). */
export const logPositionOfRow = (row: { transaction_id: string; global_position: string }): Position =>
  encodeLogPosition({ transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) });
