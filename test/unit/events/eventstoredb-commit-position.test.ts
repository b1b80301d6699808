import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommitPosition, encodeCommitPosition, InvalidCommitPositionError } from '../../../events/eventstoredb/commit-position.js';
import { asPosition, comparePositions, isPosition, START } from '../../../events/position.js';

// EventStoreDB's $all is ordered by commit position, then prepare position; the port compares
// tokens as plain strings. These check that the token keeps that order, for every pair the
// server can give (unsigned 64-bit, 2^64-1 being its "no position").

const MAX_REAL = (1n << 64n) - 2n;
const logPosition = fc.record({ commit: fc.bigInt({ min: 0n, max: MAX_REAL }), prepare: fc.bigInt({ min: 0n, max: MAX_REAL }) });
/** Positions that share a commit (one explicit transaction), or have small values, as often as large ones. */
const nearby = fc.record({ commit: fc.bigInt({ min: 0n, max: 300n }), prepare: fc.bigInt({ min: 0n, max: 300n }) });
const position = fc.oneof(logPosition, nearby);

const logOrder = (a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }): number =>
  a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;

describe('EventStoreDB commit positions as port positions', () => {
  it('property: comparing two tokens as strings compares their positions in $all order', () => {
    fc.assert(
      fc.property(position, position, (a, b) => {
        expect(Math.sign(comparePositions(encodeCommitPosition(a), encodeCommitPosition(b)))).toBe(logOrder(a, b));
      }),
    );
  });

  it('property: decoding a token gives back its position, and every token has the port shape', () => {
    fc.assert(
      fc.property(position, (p) => {
        const token = encodeCommitPosition(p);
        expect(isPosition(token)).toBe(true);
        expect(decodeCommitPosition(token)).toEqual(p);
      }),
    );
  });

  it('writes commit before prepare, 16 hex digits each', () => {
    expect(encodeCommitPosition({ commit: 0x1f2en, prepare: 0x1f00n })).toBe('0000000000001f2e:0000000000001f00');
    // A later commit sorts after an earlier one whatever the prepare positions.
    expect(comparePositions(encodeCommitPosition({ commit: 0x100n, prepare: 0n }), encodeCommitPosition({ commit: 0xffn, prepare: 0xfffn }))).toBe(1);
  });

  it("sorts every real position after START, which reads from the client's 'start'", () => {
    expect(comparePositions(START, encodeCommitPosition({ commit: 0n, prepare: 0n }))).toBe(-1);
    expect(decodeCommitPosition(START)).toBe('start');
  });

  it("refuses EventStoreDB's 'no position' (2^64-1) and negative values rather than hand out a token past every event", () => {
    expect(() => encodeCommitPosition({ commit: (1n << 64n) - 1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodeCommitPosition({ commit: 5n, prepare: (1n << 64n) - 1n })).toThrow(RangeError);
    expect(() => encodeCommitPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
  });

  it("refuses a token of another store's shape", () => {
    // The in-memory store's one-field token, and PostgreSQL-shaped tokens that are not hex.
    for (const token of ['0000000000000001', '0000000000000001:000000000000000g', '1:2', '0000000000000001:0000000000000002:0000000000000003']) {
      expect(() => decodeCommitPosition(asPosition(token))).toThrow(InvalidCommitPositionError);
    }
  });
});
