import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SOURCE_MAIN, startEntrypoint } from '../support/entrypoint.js';

// The real entrypoint refuses to start with a signing secret an attacker could guess (an empty
// DATA_DIR/jwt-secret), and two processes generating the secret together agree on one.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const dir = await mkdtemp(join(tmpdir(), 'ig-entrypoint-secret-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the signing secret at start', () => {
  it('an empty DATA_DIR/jwt-secret stops the start with a message naming it', { timeout: 60_000 }, async () => {
    const data = join(dir, 'data');
    await promisify(execFile)('mkdir', ['-p', data]);
    await writeFile(join(data, 'jwt-secret'), '');
    // Any DATABASE_URL: the secret is checked before anything connects.
    const started = startEntrypoint(dir, { DATA_DIR: data, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, [], SOURCE_MAIN);
    const error = await started.then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(/exited with 1 before listening/);
    expect(error?.message).toContain(join(data, 'jwt-secret'));
    expect(error?.message).toContain('at least 32');
  });

  it('two processes generating the secret on a fresh folder agree on one', { timeout: 60_000 }, async () => {
    const data = join(dir, 'race');
    const script = `import { generatedSecret } from ${JSON.stringify(join(ROOT, 'app/jwt-secret.ts'))}; process.stdout.write(await generatedSecret(${JSON.stringify(data)}, 'jwt-secret'));`;
    const run = () => promisify(execFile)(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { cwd: ROOT });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.stdout).toHaveLength(64);
    expect(b.stdout).toBe(a.stdout);
    expect((await readFile(join(data, 'jwt-secret'), 'utf8')).trim()).toBe(a.stdout);
  });
});
