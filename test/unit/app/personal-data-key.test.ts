import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/config.js';
import { resolvePersonalDataKey } from '../../../app/personal-data-key.js';
import { masterKeyOf } from '../../../events/personal-data/key-store.js';

// Rule: the master key of the personal data keys comes from PERSONAL_DATA_KEY or from a secret
// generated once into DATA_DIR/personal-data-key, with the JWT secret's rules (at least 32 bytes,
// refused by name), and is the same for every process given the same setting or folder.
const root = await mkdtemp(join(tmpdir(), 'ig-pdk-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('the personal data master key', () => {
  it('is generated once under DATA_DIR, and every process resolving it there gets the same', async () => {
    const dir = await mkdtemp(join(root, 'data-'));
    const keys = await Promise.all(Array.from({ length: 4 }, () => resolvePersonalDataKey(undefined, dir)));
    for (const key of keys) expect(key).toEqual(keys[0]);
    expect(await readdir(dir)).toEqual(['personal-data-key']);
    expect((await resolvePersonalDataKey(undefined, await mkdtemp(join(root, 'other-')))).id).not.toBe(keys[0]!.id);
  });

  it('comes from PERSONAL_DATA_KEY when set, which must be at least 32 bytes', async () => {
    const dir = await mkdtemp(join(root, 'data-'));
    expect(await resolvePersonalDataKey('k'.repeat(32), dir)).toEqual(masterKeyOf('k'.repeat(32)));
    expect(await readdir(dir)).toEqual([]);
    const error = await resolvePersonalDataKey('short', dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('PERSONAL_DATA_KEY');
  });

  it('refuses an empty kept file, naming it', async () => {
    const dir = await mkdtemp(join(root, 'data-'));
    await writeFile(join(dir, 'personal-data-key'), '');
    await expect(resolvePersonalDataKey(undefined, dir)).rejects.toThrow(join(dir, 'personal-data-key'));
  });
});
