import { readFile } from 'node:fs/promises';
import pg from 'pg';

// The CPU time of the PostgreSQL backends serving one application_name, read from /proc: on this
// machine PostgreSQL shares the cores with the API, so a write's cost is the API's CPU and its
// backends' together (bench/http-create-post.ts). Only where PostgreSQL runs on the bench's own
// machine (no /proc entry for its pids elsewhere: the figure is then null). Polled, not read once at
// each end: pooled connections close when idle and open again, and a backend that exited takes
// its count with it; each backend counts from when it was first seen (a new one from zero).

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)
const POLL_MS = 200;

/** utime + stime of a process, in clock ticks, or undefined when it is gone (or not on this machine). */
const cpuTicksOf = async (pid: number): Promise<number | undefined> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

export interface BackendCpuMeter {
  /** Starts counting from now (the backends' CPU so far is the baseline). */
  start(): Promise<void>;
  /** Stops, and answers the backends' CPU time since start in microseconds (null: PostgreSQL is not on this machine). */
  stop(): Promise<number | null>;
  close(): Promise<void>;
}

export const postgresBackendCpu = async (databaseUrl: string, applicationName: string): Promise<BackendCpuMeter> => {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench cpu meter' });
  await client.connect();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let seenAny = false;
  const sample = async (baseline: boolean) => {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
    await Promise.all(
      rows.map(async ({ pid }) => {
        const ticks = await cpuTicksOf(pid);
        if (ticks === undefined) return;
        seenAny = true;
        if (!first.has(pid)) first.set(pid, baseline ? ticks : 0);
        last.set(pid, ticks);
      }),
    );
  };
  let polling: Promise<void> = Promise.resolve();
  return {
    async start() {
      first.clear();
      last.clear();
      seenAny = false;
      await sample(true);
      timer = setInterval(() => {
        polling = polling.then(() => sample(false)).catch(() => undefined);
      }, POLL_MS);
    },
    async stop() {
      clearInterval(timer);
      await polling;
      await sample(false);
      if (!seenAny) return null;
      let ticks = 0;
      for (const [pid, end] of last) ticks += end - (first.get(pid) ?? 0);
      return (ticks / TICKS_PER_SECOND) * 1e6;
    },
    close: () => client.end(),
  };
};
