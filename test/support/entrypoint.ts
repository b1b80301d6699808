import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

// Runs the real entrypoint (app/main.ts, what `npm start` runs) as a child process in `cwd`, with
// only PATH and HOME in its environment plus what `env` adds. Shared by the entrypoint test and
// the start-up benchmark.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const MAIN = join(ROOT, 'app/main.ts');

export interface Running {
  child: ChildProcess;
  address: string;
  exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
}

export const startEntrypoint = async (cwd: string, extraEnv: Record<string, string> = {}, args: readonly string[] = []): Promise<Running> => {
  // Only what a shell gives any process; none of the platform's variables.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...extraEnv };
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const address = await new Promise<string>((resolveAddress, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolveAddress(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  return { child, address, exited, output: () => output };
};

export const waitUntilReady = async (address: string) => {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${address}/ready`).catch(() => null);
    if (response?.status === 200) return (await response.json()) as { backends: Record<string, string> };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('never ready');
};

/** A JSON call to a running process, as a client makes it. */
export const callJson = async (address: string, method: string, path: string, token?: string, body?: unknown) => {
  const response = await fetch(`${address}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API under test
  return { status: response.status, body: (await response.json()) as any };
};
