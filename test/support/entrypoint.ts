import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// Runs the real entrypoint as a child process in `cwd`, with only PATH and HOME in its
// environment plus what `env` adds: app/main.ts through tsx (what `npm start` runs) unless told to
// run a compiled build (what `npm run start:prod` runs). Shared by the entrypoint tests and the
// start-up benchmark.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/esm/index.mjs');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Node's flags for the platform's processes, as package.json's start scripts and the Dockerfile give them (docs/capacity.md "Node's young generation"). */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** Node's arguments that run app/main.ts from source, as `npm start` does. */
export const SOURCE_MAIN: readonly string[] = [...NODE_FLAGS, '--import', TSX, join(ROOT, 'app/main.ts')];

/** Node's arguments that run the compiled app/main.js of a build in `outDir`, as `npm run start:prod` does. */
export const compiledMain = (outDir: string): readonly string[] => [...NODE_FLAGS, '--enable-source-maps', join(outDir, 'app/main.js')];

/**
 * `npm run build` into `outDir` instead of dist/. Beside the output go what dist/ finds in the
 * project root: package.json (its "type": "module" makes the .js files ES modules) and
 * node_modules (the dependencies, by symlink).
 */
export const buildInto = async (outDir: string) => {
  await promisify(execFile)(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT }).catch(
    (error: Error & { stdout?: string }) => {
      throw new Error(`the build failed: ${error.message}\n${error.stdout ?? ''}`); // tsc reports on stdout
    },
  );
  await copyFile(join(ROOT, 'package.json'), join(outDir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(outDir, 'node_modules'));
};

export interface Running {
  child: ChildProcess;
  address: string;
  exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
}

export const startEntrypoint = async (
  cwd: string,
  extraEnv: Record<string, string> = {},
  args: readonly string[] = [],
  main: readonly string[] = SOURCE_MAIN,
): Promise<Running> => {
  // Only what a shell gives any process; none of the platform's variables.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...extraEnv };
  const child = spawn(process.execPath, [...main, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const text = await response.text(); // empty for a 204
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API under test
  return { status: response.status, body: (text ? JSON.parse(text) : null) as any };
};
