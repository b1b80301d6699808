import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { newId } from '../../../commands/command-context.js';
import { pooledRandomBytes } from '../../../kernel/random-bytes.js';

// The pooled random bytes of the hot path (kernel/random-bytes.ts) and the UUIDv7s made from them
// (commands/command-context.ts newId): each draw is fresh and its own, across refills of the pool,
// and the ids stay valid v7s that increase within the process, as the uuid package makes them.

describe('pooled random bytes', () => {
  it('hands out each draw once, in a buffer of its own, across refills', () => {
    const draws = Array.from({ length: 1000 }, () => pooledRandomBytes(12)); // ~3 pools of 4 KiB
    expect(new Set(draws.map((b) => b.toString('hex'))).size).toBe(draws.length);
    const first = draws[0]!;
    const copy = Buffer.from(first);
    pooledRandomBytes(4096); // a refill does not change what was handed out
    expect(first).toEqual(copy);
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
  });

  it('makes valid UUIDv7s that increase within the process', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
