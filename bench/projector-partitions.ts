import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { ensureLeaseTables } from '../projections/runtime/leases-postgres.js';
import { startEntrypoint, type Running } from '../test/support/entrypoint.js';
import { generateLog } from './support/generate-log.js';
import { printFigures } from './support/report.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Projector throughput with 1, 2 and 3 projector processes (the real entrypoint, role projector)
// sharing the profiles projection by lease (PROJECTOR_PARTITIONS, default 6 here): for each count, a
// fresh schema, the processes started on the empty log and left to split the partitions, then a
// log of PARTITION_BENCH_EVENTS events (default 100,000, bench/support/generate-log.ts) committed
// at once, and the time until the projection's own checkpoint (the lowest of its partitions') is
// at the head. One process is the same-run baseline. On a machine of two cores the processes share
// them with PostgreSQL, so expect the gain to be bounded by the cores, not by the leases. The
// same-run baseline is one process running the projection whole (no PROJECTOR_PARTITIONS).
// Run: npm run bench:projector-partitions
const total = Number(process.env.PARTITION_BENCH_EVENTS ?? 100_000);
const partitions = Number(process.env.PARTITION_BENCH_PARTITIONS ?? 6);
const PROJECTION = 'profiles';

const dir = await mkdtemp(join(tmpdir(), 'ig-partition-bench-'));
await chmod(dir, 0o755);

const until = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** `processes` projector processes over the partitions, or with 0 partitions one process running the projection whole (today's default). */
const run = async (processes: number, split: number) => {
  const scratch = await createScratchSchema('bench_partitions');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
  await ensureLeaseTables(pool);
  const running: Running[] = [];
  try {
    const env: Record<string, string> = {
      DATABASE_URL: scratch.url,
      PORT: '0',
      DATA_DIR: dir,
      JWT_SECRET: 'a-bench-secret-of-at-least-32-characters!',
      ROLE: 'projector',
      PROJECTIONS: PROJECTION,
      ...(split > 0 ? { PROJECTOR_PARTITIONS: String(split), PROJECTOR_LEASE: '2s' } : {}),
    };
    // The first alone sets the schema up; the others join it.
    running.push(await startEntrypoint(dir, env));
    running.push(...(await Promise.all(Array.from({ length: processes - 1 }, () => startEntrypoint(dir, env)))));
    const share = Math.floor(split / processes);
    if (split > 0) await until(
      'an even split',
      async () => {
        const { rows } = await pool.query<{ n: string }>(
          'select count(*) as n from projection_leases where projection = $1 and partitions = $2 and expires_at > now() group by owner',
          [PROJECTION, split],
        );
        return rows.length === processes && rows.every((row) => Number(row.n) >= share);
      },
      30_000,
    );
    const store = await createPostgresEventStore(pool);
    await generateLog(pool, total);
    const began = performance.now();
    const head = await store.headPosition();
    const { rows } = await pool.query<{ n: string }>('select count(*) as n from events');
    const events = Number(rows[0]!.n);
    await until(
      'caught up',
      async () => {
        const { rows: checkpoint } = await pool.query<{ position: string }>('select position from projection_checkpoints where key = $1', [PROJECTION]);
        return checkpoint[0] !== undefined && checkpoint[0].position >= head;
      },
      600_000,
    );
    const seconds = (performance.now() - began) / 1000;
    const failures = running.map((child) => (child.output().match(/attempt \d+ failed/g) ?? []).length).reduce((a, b) => a + b, 0);
    if (failures > 0) console.log(`${failures} failed batch attempts (retried):\n${running.map((child) => child.output()).join('\n').slice(-3000)}`);
    await store.close();
    return { processes, partitions: split, events, seconds: Math.round(seconds * 100) / 100, eventsPerSecond: Math.round(events / seconds) };
  } finally {
    for (const child of running) child.child.kill('SIGTERM');
    await Promise.all(running.map((child) => child.exited));
    await pool.end();
    await scratch.drop();
  }
};

try {
  const whole = await run(1, 0);
  console.log(`1 process, unpartitioned: ${whole.events} events in ${whole.seconds} s, ${whole.eventsPerSecond} events/s`);
  const rows = [];
  for (const processes of [1, 2, 3]) {
    const row = await run(processes, partitions);
    console.log(`${processes} process(es), ${partitions} partitions: ${row.events} events in ${row.seconds} s, ${row.eventsPerSecond} events/s`);
    rows.push(row);
  }
  const baseline = whole.eventsPerSecond;
  printFigures('projector-partitions', {
    projection: PROJECTION,
    partitions,
    events: whole.events,
    baselineUnpartitionedEventsPerSecond: baseline,
    runs: rows.map((row) => ({ ...row, speedup: Math.round((row.eventsPerSecond / baseline) * 100) / 100 })),
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
