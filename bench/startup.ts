import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEntrypoint, waitUntilReady } from '../test/support/entrypoint.js';
import { printFigures } from './support/report.js';

// `npm start` to /ready with no configuration: a first start (empty ./data: initdb, migrations)
// and a second start on the same data, and the resident memory of the idle process (Node; the
// bundled PostgreSQL's processes are listed apart).
const dir = await mkdtemp(join(tmpdir(), 'ig-startup-'));
await chmod(dir, 0o755);

const rssKb = async (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** The bundled PostgreSQL's processes: the postmaster, whose command line names the data dir, and its children. */
const postgresRssKb = async () => {
  const run = (args: string[]) => {
    try {
      return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const postmasters = run(['-f', dir]).filter((pid) => pid !== process.pid);
  const pids = [...postmasters, ...postmasters.flatMap((pid) => run(['-P', String(pid)]))];
  const sizes = await Promise.all(pids.map((pid) => rssKb(pid).catch(() => 0)));
  return sizes.reduce((a, b) => a + b, 0);
};

const timedStart = async () => {
  const began = performance.now();
  const running = await startEntrypoint(dir, { PORT: '0' });
  await waitUntilReady(running.address);
  return { running, ms: performance.now() - began };
};

try {
  const first = await timedStart();
  first.running.child.kill('SIGTERM');
  await first.running.exited;
  const second = await timedStart();
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // let start-up garbage settle
  const nodeRss = await rssKb(second.running.child.pid!);
  const postgresRss = await postgresRssKb();
  second.running.child.kill('SIGTERM');
  await second.running.exited;
  console.log(`first start to /ready (empty data): ${first.ms.toFixed(0)} ms`);
  console.log(`second start to /ready:             ${second.ms.toFixed(0)} ms`);
  console.log(`idle resident memory of the Node process: ${(nodeRss / 1024).toFixed(0)} MiB`);
  console.log(`idle resident memory of the bundled PostgreSQL (sum over its processes, shared pages counted each time): ${(postgresRss / 1024).toFixed(0)} MiB`);
  printFigures('startup', { firstStartMs: Math.round(first.ms), secondStartMs: Math.round(second.ms), nodeRssMiB: Math.round(nodeRss / 1024), postgresRssMiB: Math.round(postgresRss / 1024) });
} finally {
  await rm(dir, { recursive: true, force: true });
}
