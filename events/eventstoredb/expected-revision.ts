import { ANY, NO_STREAM, STREAM_EXISTS, WrongExpectedVersionError, type AppendExpectedRevision } from '@eventstore/db-client';
import { ConcurrencyError, type ExpectedRevision } from '../event-store.js';

// The port's expectations are EventStoreDB's own (a last revision, no stream, stream exists, any);
// only the revision changes type (a number here, a bigint in the client).

export const toClientExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  if (expected === 'any') return ANY;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`expected revision must be a revision (0 or more), got ${expected}`);
  return BigInt(expected);
};

/** The stream's actual last revision as the port reports it: -1 (or the client's 'no_stream') is no stream. */
const actualRevision = (actual: WrongExpectedVersionError['actualVersion']): number | 'no_stream' =>
  actual === NO_STREAM || actual < 0n ? 'no_stream' : Number(actual);

/** The port's typed refusal for the client's WrongExpectedVersionError; anything else is not one. */
export const asConcurrencyError = (error: unknown, streamId: string, expected: ExpectedRevision): ConcurrencyError | undefined =>
  error instanceof WrongExpectedVersionError ? new ConcurrencyError(streamId, expected, actualRevision(error.actualVersion)) : undefined;
