import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WrittenKeys } from '../../../projections/runtime/written-keys.js';

// The filter a build asks before reading a row back: never "absent" for a key it was given,
// rarely "maybe" for one it was not, each table apart, and "maybe" for everything once closed.

describe('WrittenKeys', () => {
  const keys = Array.from({ length: 50_000 }, () => `${randomUUID()}|${randomUUID()}`);

  it('answers "maybe" for every key it was given, and "absent" for almost every other', () => {
    const written = new WrittenKeys<'likes' | 'follows'>();
    for (const key of keys) written.add('likes', key);
    expect(keys.every((key) => written.mayHave('likes', key))).toBe(true);
    const others = Array.from({ length: 50_000 }, () => `${randomUUID()}|${randomUUID()}`);
    expect(others.filter((key) => written.mayHave('likes', key)).length).toBeLessThan(50);
    expect(keys.filter((key) => written.mayHave('follows', key)).length).toBeLessThan(50);
  });

  it('addNew answers as mayHave did before the key was added, and adds it', () => {
    const written = new WrittenKeys<'likes'>();
    const fresh = keys.filter((key) => written.addNew('likes', key));
    // New but for a rare "maybe" among the keys added before; never new the second time.
    expect(fresh.length).toBeGreaterThan(keys.length - 50);
    expect(keys.some((key) => written.addNew('likes', key))).toBe(false);
    expect(keys.every((key) => written.mayHave('likes', key))).toBe(true);
    written.close();
    expect(written.addNew('likes', `${randomUUID()}|${randomUUID()}`)).toBe(false);
  });

  it('once closed, every key may be stored', () => {
    const written = new WrittenKeys<'posts'>();
    written.close();
    written.add('posts', keys[0]!);
    expect(keys.slice(0, 100).every((key) => written.mayHave('posts', key))).toBe(true);
  });

  it('loads what is stored once, and again after a failed load', async () => {
    const written = new WrittenKeys<'posts'>();
    let loads = 0;
    const failing = () => (loads++, Promise.reject(new Error('down')));
    await expect(written.ready(failing)).rejects.toThrow('down');
    const loading = async () => {
      loads++;
      written.add('posts', keys[0]!);
    };
    await Promise.all([written.ready(loading), written.ready(loading)]);
    await written.ready(loading);
    expect(loads).toBe(2);
    expect(written.mayHave('posts', keys[0]!)).toBe(true);
  });
});
