import { ANY, NO_STREAM, STREAM_EXISTS, StreamDeletedError, WrongExpectedVersionError } from '@eventstore/db-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyError, type ExpectedRevision } from '../../../events/event-store.js';
import { asConcurrencyError, toClientExpectedRevision } from '../../../events/eventstoredb/expected-revision.js';

// The port's expectations and its typed refusal, against the client's own values and error
// class (constructed as the client constructs it from a server's WrongExpectedVersion details).

const wrongExpectedVersion = (current: bigint | typeof NO_STREAM, expected: bigint | typeof NO_STREAM | typeof ANY | typeof STREAM_EXISTS = 0n) =>
  new WrongExpectedVersionError(undefined, { streamName: 'post-1', expected, current });

describe('EventStoreDB expected revisions', () => {
  it("maps the port's named expectations to the client's constants", () => {
    expect(toClientExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision('any')).toBe(ANY);
  });

  it('property: maps a revision to the same revision as a bigint', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (revision) => {
        expect(toClientExpectedRevision(revision)).toBe(BigInt(revision));
      }),
    );
  });

  it('refuses what is not a revision before anything is sent', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) expect(() => toClientExpectedRevision(bad)).toThrow(RangeError);
  });
});

describe('EventStoreDB errors as the port reports them', () => {
  const expectations: ExpectedRevision[] = ['no_stream', 'stream_exists', 'any', 0, 7];

  it.each(expectations)('a wrong expected version becomes a ConcurrencyError with the actual revision (expected %s)', (expected) => {
    const error = asConcurrencyError(wrongExpectedVersion(4n), 'post-1', expected);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: 'post-1', expected, actual: 4 });
  });

  it("reports a missing stream as 'no_stream', whether the server says no stream or revision -1", () => {
    expect(asConcurrencyError(wrongExpectedVersion(NO_STREAM), 's', 3)?.actual).toBe('no_stream');
    expect(asConcurrencyError(wrongExpectedVersion(-1n), 's', 'stream_exists')?.actual).toBe('no_stream');
  });

  it('keeps the stream id and expectation of the port, not the ones the client echoes', () => {
    const error = asConcurrencyError(wrongExpectedVersion(2n, STREAM_EXISTS), 'user-9', 1);
    expect(error).toMatchObject({ streamId: 'user-9', expected: 1, actual: 2 });
  });

  it('leaves every other error alone', () => {
    expect(asConcurrencyError(StreamDeletedError.fromStreamName('post-1'), 'post-1', 0)).toBeUndefined();
    expect(asConcurrencyError(new Error('wrong expected version'), 'post-1', 0)).toBeUndefined();
    expect(asConcurrencyError({ type: 'wrong-expected-version' }, 'post-1', 0)).toBeUndefined();
  });
});
