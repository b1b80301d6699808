import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PersonalDataKeyStore } from '../../events/personal-data/key-store.js';

// The one contract every PersonalDataKeyStore adapter passes (events/personal-data/key-store.ts):
// a person's key is created once and is the same for every caller, concurrent first uses
// included, and is 32 bytes; keys are people's own; a destroyed key is gone at once for the
// store that destroyed it, and a later first use makes a new, different one.

export interface KeyStoreUnderTest {
  keys: PersonalDataKeyStore;
  /** Another store on the same storage (another process), with its own cache. */
  other(): Promise<PersonalDataKeyStore>;
  cleanup(): Promise<void>;
}

export const personalDataKeyStoreContract = (name: string, factory: () => Promise<KeyStoreUnderTest>): void => {
  describe(`PersonalDataKeyStore contract: ${name}`, () => {
    let subject: KeyStoreUnderTest;
    let keys: PersonalDataKeyStore;
    beforeEach(async () => {
      subject = await factory();
      keys = subject.keys;
    });
    afterEach(async () => subject.cleanup());

    it('creates a key on first use and gives the same one after, here and in another store', async () => {
      const person = uuidv7();
      const key = await keys.keyFor(person);
      expect(key).toHaveLength(32);
      expect(await keys.keyFor(person)).toEqual(key);
      const other = await subject.other();
      expect(await other.keyFor(person)).toEqual(key);
      expect((await other.keysOf([person])).get(person)).toEqual(key);
    });

    it('agrees on one key when many first uses race, in one store and across stores', async () => {
      const person = uuidv7();
      const other = await subject.other();
      const got = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? keys : other).keyFor(person)));
      for (const key of got) expect(key).toEqual(got[0]);
    });

    it('gives every person a key of their own', async () => {
      const people = Array.from({ length: 5 }, () => uuidv7());
      const got = await Promise.all(people.map((p) => keys.keyFor(p)));
      expect(new Set(got.map((k) => k.toString('hex'))).size).toBe(5);
    });

    it('looks up many people at once, leaving out those without a key, and creates none', async () => {
      const withKeys = [uuidv7(), uuidv7(), uuidv7()];
      const expected = await Promise.all(withKeys.map((p) => keys.keyFor(p)));
      const without = uuidv7();
      const other = await subject.other();
      const found = await other.keysOf([...withKeys, without, withKeys[0]!]);
      expect([...found.keys()].sort()).toEqual([...withKeys].sort());
      withKeys.forEach((p, i) => expect(found.get(p)).toEqual(expected[i]));
      expect((await other.keysOf([without])).size).toBe(0);
      expect(await keys.keysOf([])).toEqual(new Map());
    });

    it('destroys a key: gone at once for this store, once only, and a new use makes another key', async () => {
      const person = uuidv7();
      const kept = uuidv7();
      const key = await keys.keyFor(person);
      const keptKey = await keys.keyFor(kept);
      expect(await keys.destroy(person)).toBe(true);
      expect((await keys.keysOf([person])).has(person)).toBe(false);
      expect(await keys.destroy(person)).toBe(false);
      expect((await keys.keysOf([kept])).get(kept)).toEqual(keptKey);
      const fresh = await keys.keyFor(person);
      expect(fresh).not.toEqual(key);
    });

    it('a store that never read the key does not find it after another destroyed it', async () => {
      const person = uuidv7();
      await keys.keyFor(person);
      await keys.destroy(person);
      const other = await subject.other();
      expect((await other.keysOf([person])).size).toBe(0);
    });
  });
};
