import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { generateLog } from '../../bench/support/generate-log.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The replay CLI as the data team runs it: the package bin as a real process, on the embedded
// backends' layout (PostgreSQL only), in a directory without .services/urls.env. Ctrl-C (SIGINT)
// mid-rebuild exits 130 and `resume` finishes the job; usage errors exit 2 before touching anything.
const BIN = resolve(import.meta.dirname, '../../bin/instagram-es-replay.mjs');

describe('the replay CLI process', () => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    cwd = await mkdtemp(join(tmpdir(), 'replay-'));
    const store = await createPostgresEventStore(db.pool);
    await store.close();
    await generateLog(db.pool, 4_000);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  const run = (args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, DATABASE_URL: db.url }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        onStderr?.(stderr, child);
      });
      child.once('exit', (code) => done({ code, stdout, stderr }));
    });

  it('prints help per command and exits 2 on a usage error', async () => {
    const help = await run(['rebuild', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--no-switch');
    const unknown = await run(['rebuild', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown projection(s) nope');
    expect((await run(['rebuild', 'all', '--batch-size', 'many'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });

  it('stops cleanly on Ctrl-C with exit code 130, and resume finishes the rebuild and switches', async () => {
    let interrupted = false;
    const stopped = await run(['rebuild', 'all', '--batch-size', '20', '--handover-ms', '0'], (stderr, child) => {
      // Plain progress lines (stderr is not a terminal): interrupt as soon as the rebuild starts.
      if (!interrupted && /rebuild .*: \d[\d,]*\/[\d,]+ events/.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toContain("run 'resume' to continue");

    const resumed = await run(['resume', '--handover-ms', '0', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ type: 'result', ok: true });

    const status = await run(['status', '--sample-ms', '0', '--json']);
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout.trim()).projections as { projection: string; live: number; lag: number }[];
    expect(rows.map((r) => r.projection)).toEqual(expect.arrayContaining(['profiles', 'feed', 'stories', 'search']));
    // Every registered projection was rebuilt, switched, and is caught up.
    expect(rows.map((r) => [r.projection, r.live, r.lag])).toEqual(rows.map((r) => [r.projection, 2, 0]));
    expect([...result.switched].sort()).toEqual(rows.map((r) => r.projection).sort());
    const verified = await run(['verify', 'profiles']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('matches a rebuild from the log');
  });
});
