import { readFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';

// Small checks the service starters share: is a port taken, does a process still run.

/** True when something accepts a TCP connection on 127.0.0.1:port within the timeout. */
export const portAnswers = (port: number, timeoutMs = 500): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

/** A port nothing listens on, chosen by the kernel. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/** The pid recorded in `file` when that process still runs (and its command line contains `marker`). */
export const livePid = async (file: string, marker?: string): Promise<number | null> => {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (!pid) return null;
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  if (!marker) return pid;
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return commandLine === null || commandLine.includes(marker) ? pid : null;
};

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `check` until it is true; throws naming `what` after `timeoutMs`. */
export const waitFor = async (what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** SIGTERM, then SIGKILL if it still runs after `graceMs`; resolves once the process is gone. */
export const stopPid = async (pid: number, graceMs = 30_000): Promise<void> => {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor(`pid ${pid} to stop`, graceMs, async () => !isAlive(pid)).catch(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  await waitFor(`pid ${pid} to die`, 5_000, async () => !isAlive(pid));
};
