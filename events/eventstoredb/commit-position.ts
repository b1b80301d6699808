import type { Position as ClientPosition } from '@eventstore/db-client';
import { asPosition, START, type Position } from '../position.js';

// An EventStoreDB log position is the pair (commit, prepare) of the transaction file: $all is
// ordered by commit position, then by prepare position within a commit (events written in one
// explicit transaction share their commit). Both are unsigned 64-bit, written as 16 lowercase
// hex digits each, so that comparing two tokens as plain strings compares them in log order
// (events/position.ts), exactly as the PostgreSQL adapter's (transaction id, global position).

const TOKEN = /^([0-9a-f]{16}):([0-9a-f]{16})$/;
const MAX_UINT64 = (1n << 64n) - 1n;

export class InvalidCommitPositionError extends Error {
  constructor(readonly token: string) {
    super(`not an EventStoreDB event store position: ${JSON.stringify(token)}`);
    this.name = 'InvalidCommitPositionError';
  }
}

const hex16 = (value: bigint): string => value.toString(16).padStart(16, '0');

/**
 * The token of a position. EventStoreDB reports "no position" as 2^64-1 (an event read from its
 * stream on a server that does not fill positions in): that is refused, never handed out as a
 * token that would sort after every real one.
 */
export const encodeCommitPosition = (position: ClientPosition): Position => {
  const { commit, prepare } = position;
  if (commit < 0n || prepare < 0n || commit >= MAX_UINT64 || prepare >= MAX_UINT64) {
    throw new RangeError(`EventStoreDB position out of range: commit ${commit}, prepare ${prepare}`);
  }
  return asPosition(`${hex16(commit)}:${hex16(prepare)}`);
};

/** The client's position of a token; START (before the first event) is the client's 'start'. */
export const decodeCommitPosition = (token: Position): ClientPosition | 'start' => {
  if (token === START) return 'start';
  const match = TOKEN.exec(token);
  if (!match) throw new InvalidCommitPositionError(token);
  return { commit: BigInt(`0x${match[1]}`), prepare: BigInt(`0x${match[2]}`) };
};
