import { execFileSync } from 'node:child_process';
import { scrypt, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { printFigures } from './support/report.js';

// How many password hashes to run at once (commands/accounts/hashing-admission.ts
// HASHING_CONCURRENCY), measured: scrypt at the platform's cost kept busy at a given concurrency
// for DURATION seconds, with a file stat every 20 ms beside it (file, DNS, zlib and sharp work share
// libuv's thread pool with scrypt). Three runs, each in a process of its own (the pool's size is
// fixed at its first use): one hash per core on the default 4 threads (the choice), two per core
// on 4 threads (the former bound, the baseline), and two per core with UV_THREADPOOL_SIZE raised
// to leave them room. Reported per run: hashes/s, a hash's p50, and the stat's p50/p99/max.
const DURATION_S = Number(process.env.DURATION ?? 5);
const cores = availableParallelism();

const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(1));
};

const hash = () =>
  new Promise<void>((resolve, reject) =>
    scrypt('bench password', randomBytes(16), 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 256 * 1024 * 1024 }, (error) => (error ? reject(error) : resolve())),
  );

const measure = async (concurrency: number) => {
  await hash();
  const until = Date.now() + DURATION_S * 1000;
  const hashMs: number[] = [];
  const statMs: number[] = [];
  const hashing = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      await hash();
      hashMs.push(performance.now() - started);
    }
  };
  const probing = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      await stat(import.meta.dirname);
      statMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.all([...Array.from({ length: concurrency }, hashing), probing()]);
  return {
    concurrency,
    threadPool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    hashesPerSecond: Number((hashMs.length / DURATION_S).toFixed(1)),
    hashP50Ms: percentile(hashMs, 50),
    statP50Ms: percentile(statMs, 50),
    statP99Ms: percentile(statMs, 99),
    statMaxMs: Number(Math.max(...statMs).toFixed(1)),
  };
};

if (process.env.HASHING_CONCURRENCY) {
  // A run: its figures as the last line, for the parent.
  console.log(JSON.stringify(await measure(Number(process.env.HASHING_CONCURRENCY))));
} else {
  const run = (concurrency: number, threadPool?: number) => {
    const env = { ...process.env, HASHING_CONCURRENCY: String(concurrency), ...(threadPool ? { UV_THREADPOOL_SIZE: String(threadPool) } : {}) };
    const output = execFileSync(process.execPath, [...process.execArgv, import.meta.filename], { env, encoding: 'utf8' });
    return JSON.parse(output.trim().split('\n').at(-1)!) as Awaited<ReturnType<typeof measure>>;
  };
  const onePerCore = run(cores);
  const twoPerCore = run(2 * cores);
  const twoPerCoreLargerPool = run(2 * cores, 2 * cores + 4);
  console.log(`\nscrypt N=2^15 r=8 for ${DURATION_S}s per run on ${cores} cores, a file stat every 20 ms beside it`);
  console.log(`${'run'.padEnd(34)} ${'hashes/s'.padStart(8)} ${'hash p50'.padStart(9)} ${'stat p50/p99/max ms'.padStart(20)}`);
  for (const [name, r] of [['one per core, 4 threads (chosen)', onePerCore], ['two per core, 4 threads (before)', twoPerCore], [`two per core, ${twoPerCoreLargerPool.threadPool} threads`, twoPerCoreLargerPool]] as const) {
    console.log(`${name.padEnd(34)} ${String(r.hashesPerSecond).padStart(8)} ${String(r.hashP50Ms).padStart(9)} ${`${r.statP50Ms}/${r.statP99Ms}/${r.statMaxMs}`.padStart(20)}`);
  }
  printFigures('password-hashing', { durationSeconds: DURATION_S, cores, onePerCore, baseline: { twoPerCore, twoPerCoreLargerPool } });
}
