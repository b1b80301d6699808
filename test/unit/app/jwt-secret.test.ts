import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/config.js';
import { generatedSecret, resolveJwtSecret, resolveJwtSecrets } from '../../../app/jwt-secret.js';

// Rule: a signing secret shorter than 32 bytes, from JWT_SECRET or a file under DATA_DIR, is
// refused with its name; the generated file is written whole, once, whoever generates it first.
const root = await mkdtemp(join(tmpdir(), 'ig-secret-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const fresh = async () => mkdtemp(join(root, 'data-'));

const problemOf = async (work: Promise<unknown>) => {
  const error = await work.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
};

describe('signing secrets', () => {
  it('generates a secret once and keeps it, leaving no temporary file behind', async () => {
    const dir = await fresh();
    const secret = await generatedSecret(dir, 'jwt-secret');
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(await generatedSecret(dir, 'jwt-secret')).toBe(secret);
    expect(await readdir(dir)).toEqual(['jwt-secret']);
  });

  it('refuses an empty, blank or short file, naming it, and leaves it as it was', async () => {
    for (const content of ['', '\n', '   ', 'x'.repeat(31)]) {
      const dir = await fresh();
      await writeFile(join(dir, 'media-url-secret'), content);
      expect(await problemOf(generatedSecret(dir, 'media-url-secret'))).toContain(join(dir, 'media-url-secret'));
      expect(await readFile(join(dir, 'media-url-secret'), 'utf8')).toBe(content);
    }
  });

  it('refuses a JWT_SECRET shorter than 32 bytes, naming it, and takes one that is long enough', async () => {
    const dir = await fresh();
    expect(await problemOf(resolveJwtSecret('short', dir))).toContain('JWT_SECRET');
    expect(await resolveJwtSecret('y'.repeat(32), dir)).toBe('y'.repeat(32));
  });

  it('concurrent generations on a fresh folder all get the one secret on disk', async () => {
    const dir = await fresh();
    const secrets = await Promise.all(Array.from({ length: 16 }, () => generatedSecret(dir, 'jwt-secret')));
    expect(new Set(secrets).size).toBe(1);
    expect((await readFile(join(dir, 'jwt-secret'), 'utf8')).trim()).toBe(secrets[0]);
    expect(await readdir(dir)).toEqual(['jwt-secret']);
  });

  it('takes JWT_SECRETS as the keys, newest first, naming a short one by its place; else the one key of JWT_SECRET or the file', async () => {
    const dir = await fresh();
    const [newest, older] = ['n'.repeat(32), 'o'.repeat(40)];
    expect(await resolveJwtSecrets({ jwtSecrets: [newest, older], jwtSecret: undefined }, dir)).toEqual([newest, older]);
    expect(await problemOf(resolveJwtSecrets({ jwtSecrets: [newest, 'short'], jwtSecret: undefined }, dir))).toContain('JWT_SECRETS (key 2)');
    expect(await resolveJwtSecrets({ jwtSecrets: undefined, jwtSecret: newest }, dir)).toEqual([newest]);
    const generated = await resolveJwtSecrets({ jwtSecrets: undefined, jwtSecret: undefined }, dir);
    expect(generated).toEqual([(await readFile(join(dir, 'jwt-secret'), 'utf8')).trim()]);
  });
});
