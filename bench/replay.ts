import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadSettings } from '../app/config.js';
import { createReadModelCatalog } from '../app/read-models.js';
import { randomBytes } from 'node:crypto';
import { START, type EventStore, type Position } from '../events/index.js';
import { createPersonalDataEventStore, createPostgresKeyStore, masterKeyOf, sealStoredPersonalData } from '../events/personal-data/index.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { catchUp, whenDoubled, type CatchUpTarget } from '../projections/runtime/catch-up.js';
import type { OpenReadModel } from '../projections/runtime/read-model.js';
import { addGeneration, ensureGenerationsTable, forgetGeneration } from '../projections/runtime/generations.js';
import { REBUILD_BATCH_SIZE } from '../replay/cli.js';
import { generateLog } from './support/generate-log.js';
import { postgresBackendCpu } from './support/postgres-cpu.js';
import { createScratchSchema } from './support/scratch-schema.js';

// Rebuild rate of the replay CLI's pass (projections/runtime/catch-up.ts) over a generated log of
// REPLAY_EVENTS events (default 1,000,000): each projection alone, then all of them in one pass,
// next to the raw rate of reading the log alone in the same run (the ceiling). Feeds and stories
// in Redis (REDIS_URL, default the local one), search in Elasticsearch when ELASTICSEARCH_URL is
// set, else PostgreSQL. REPLAY_ENCRYPTED=1 then seals the same log's personal fields
// (events/personal-data/, as `replay encrypt-personal-data` does, timed too) and measures the
// read and the one-pass rebuild again through the sealing store: the cost of opening them, next
// to the clear figures of the same run. REPLAY_ONLY=notifications,search rebuilds only the read
// models named (alone, then together in one pass), to measure one projection's rate without
// waiting for the others. REPLAY_BACKENDS=postgres keeps every read model in PostgreSQL (no Redis, no
// Elasticsearch), the embedded deployment's shape. REPLAY_ALONE=0 runs the one pass only (no
// rebuild of each alone), for long logs. REPLAY_LOG_SCHEMA=<name> keeps the generated log in that
// schema for later runs (generated there when it is empty; drop it by hand). Each row reports the process's peak RSS while it ran,
// the CPU time of this process and of the run's PostgreSQL backends (support/postgres-cpu.ts: the
// figure a shared machine's load moves least), per event, and of a rebuild the seconds its
// finishBuild took (each read model's, run together). Run: npm run bench:replay
const total = Number(process.env.REPLAY_EVENTS ?? 1_000_000);
const batchSize = Number(process.env.REPLAY_BATCH ?? REBUILD_BATCH_SIZE);
const encrypted = process.env.REPLAY_ENCRYPTED === '1';
// REPLAY_ALONE=0 skips the rebuilds of each read model alone (the one pass only: the 10M-event run).
const alone = process.env.REPLAY_ALONE !== '0';
const only = process.env.REPLAY_ONLY ? new Set(process.env.REPLAY_ONLY.split(',').map((name) => name.trim())) : null;

const keptLog = process.env.REPLAY_LOG_SCHEMA;
const scratch = await createScratchSchema('bench_replay', { keep: keptLog });
// Named, so that the CPU meter counts this run's backends only (other work may share the server).
const applicationName = `bench replay ${scratch.schema}`;
const pool = new pg.Pool({ connectionString: scratch.url, max: 10, application_name: applicationName });
const postgresCpu = await postgresBackendCpu(scratch.url, applicationName);
const postgresOnly = process.env.REPLAY_BACKENDS === 'postgres';
const redis = postgresOnly ? null : new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
const elasticsearch = !postgresOnly && process.env.ELASTICSEARCH_URL ? new ElasticsearchClient({ node: process.env.ELASTICSEARCH_URL, requestTimeout: 60_000 }) : null;
const store = await createPostgresEventStore(pool);
const { feed, notifications } = loadSettings({}, []);
const catalog = createReadModelCatalog({ pool, redis, elasticsearch, prefixes: { redis: `${scratch.schema}:`, elasticsearch: `${scratch.schema}-` }, feed, notifications });
interface Row {
  what: string;
  seconds: number;
  eventsPerSecond: number;
  peakRssMb: number;
  /** CPU microseconds per event of this process, and of the PostgreSQL backends (null: not on this machine). */
  nodeCpuUsPerEvent: number;
  postgresCpuUsPerEvent: number | null;
  /** Of a rebuild: the seconds of its finishBuild (included in `seconds`), per read model. */
  finishSeconds?: Record<string, number>;
}
const rows: Row[] = [];
// The process's resident memory, sampled while each row runs: a rebuild's memory must stay
// bounded (batches in flight, folds of one batch), whatever the size of the log.
let peakRss = 0;
// The events the log holds (the generator's count after its few duplicate keys are dropped, or a kept log's).
let logEvents = total;
const sampleRss = () => void (peakRss = Math.max(peakRss, process.memoryUsage.rss()));
interface Timed {
  seconds: number;
  nodeCpuUs: number;
  postgresCpuUs: number | null;
  finishSeconds?: Record<string, number>;
}
const perEvent = (us: number) => Number((us / logEvents).toFixed(1));
const record = (what: string, { seconds, nodeCpuUs, postgresCpuUs, finishSeconds }: Timed) => {
  const peakRssMb = Math.round(peakRss / 2 ** 20);
  const row: Row = {
    what,
    seconds: Number(seconds.toFixed(1)),
    eventsPerSecond: Math.round(logEvents / seconds),
    peakRssMb,
    nodeCpuUsPerEvent: perEvent(nodeCpuUs),
    postgresCpuUsPerEvent: postgresCpuUs === null ? null : perEvent(postgresCpuUs),
    ...(finishSeconds ? { finishSeconds } : {}),
  };
  rows.push(row);
  const finish = finishSeconds ? `  finishBuild ${Object.entries(finishSeconds).map(([name, s]) => `${name} ${s} s`).join(', ')}` : '';
  console.log(
    `${what.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s  ${row.eventsPerSecond.toLocaleString('en-US').padStart(9)} events/s  peak RSS ${peakRssMb} MB  CPU/event node ${row.nodeCpuUsPerEvent} µs, postgres ${row.postgresCpuUsPerEvent ?? '?'} µs${finish}`,
  );
};
const timed = async (work: () => Promise<Record<string, number> | void>): Promise<Timed> => {
  peakRss = 0;
  sampleRss();
  const sampler = setInterval(sampleRss, 100);
  const started = performance.now();
  const cpu = process.cpuUsage();
  await postgresCpu.start();
  let finishSeconds: Record<string, number> | void;
  try {
    finishSeconds = await work();
  } finally {
    clearInterval(sampler);
    sampleRss();
  }
  const { user, system } = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, nodeCpuUs: user + system, postgresCpuUs: await postgresCpu.stop(), ...(finishSeconds ? { finishSeconds } : {}) };
};

try {
  await ensureGenerationsTable(pool);
  const { rows: held } = await pool.query<{ n: string }>('select count(*) as n from events');
  if (Number(held[0]!.n) === 0) {
    console.log(`generating ${total.toLocaleString('en-US')} events...`);
    console.log(await generateLog(pool, total));
    await pool.query('analyze events');
    logEvents = Number((await pool.query<{ n: string }>('select count(*) as n from events')).rows[0]!.n);
  } else {
    logEvents = Number(held[0]!.n);
    console.log(`the log of schema ${scratch.schema} holds ${Number(held[0]!.n).toLocaleString('en-US')} events: reused`);
  }
  // The log serves a transaction once every older one on the server has ended (events/postgres/
  // read-all.ts): another session's long transaction would hide the generated rows from the reads.
  const generated = await store.lastCommittedPosition();
  for (let waited = 0; (await store.headPosition()) < generated; waited++) {
    if (waited % 50 === 0) console.log('waiting for older transactions on the server to end, so that the log is visible...');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const readTheLog = (from: EventStore) => async () => {
    let position: Position = START;
    for (;;) {
      const batch = await from.readAll(position, batchSize);
      position = batch.position;
      if (batch.events.length < batchSize) break;
    }
  };
  record('read the log alone', await timed(readTheLog(store)));

  const rebuild = async (names: readonly string[], from: EventStore = store) => {
    const targets: CatchUpTarget[] = [];
    const opened: OpenReadModel<unknown>[] = [];
    const generations = new Map<string, number>();
    for (const name of names) {
      const generation = await addGeneration(pool, name, 'building', { batchSize, switch: false });
      generations.set(name, generation);
      const readModel = await catalog.open(name, generation, 'build');
      await readModel.projection.setup();
      opened.push(readModel);
      targets.push({ projection: readModel.projection, checkpointKey: name });
    }
    // As the replay CLI does (replay/run-catch-up.ts): statistics refreshed each time the data doubled.
    const onBatch = whenDoubled(async () => void (await Promise.all(opened.map((readModel) => readModel.analyze?.()))));
    // The time to the serving shape: the pass, then each generation's finishBuild (indexes, logged tables).
    const result = await timed(async () => {
      await catchUp(from, targets, { batchSize, replay: true, onBatch });
      await onBatch.settled();
      const finishSeconds: Record<string, number> = {};
      await Promise.all(
        opened.map(async (readModel, i) => {
          if (!readModel.finishBuild) return;
          const started = performance.now();
          await readModel.finishBuild();
          finishSeconds[names[i]!] = Number(((performance.now() - started) / 1000).toFixed(1));
        }),
      );
      return finishSeconds;
    });
    for (const [name, generation] of generations) {
      await catalog.drop(name, generation);
      await forgetGeneration(pool, name, generation);
    }
    return result;
  };
  const names = catalog.definitions.map((d) => d.name).filter((name) => only === null || only.has(name));
  const unknown = [...(only ?? [])].filter((name) => !catalog.definitions.some((d) => d.name === name));
  if (unknown.length > 0) throw new Error(`REPLAY_ONLY names no read model: ${unknown.join(', ')}`);
  if (alone) for (const name of names) record(`rebuild ${name} (${catalog.definition(name).backend})`, await rebuild([name]));
  record('rebuild all, one pass', await rebuild(names));
  let sealing: { sealedEvents: number; sealSeconds: number } | undefined;
  if (encrypted) {
    const keys = await createPostgresKeyStore(pool, masterKeyOf(randomBytes(32).toString('base64url')));
    let sealedEvents = 0;
    const { seconds: sealSeconds } = await timed(async () => void (sealedEvents = (await sealStoredPersonalData(pool, keys, { batchSize })).sealed));
    sealing = { sealedEvents, sealSeconds: Number(sealSeconds.toFixed(1)) };
    console.log(`sealed the personal fields of ${sealedEvents.toLocaleString('en-US')} events in ${sealSeconds.toFixed(1)} s`);
    await pool.query('analyze events');
    const sealedStore = createPersonalDataEventStore(store, keys);
    record('read the log alone, sealed', await timed(readTheLog(sealedStore)));
    record('rebuild all, one pass, sealed', await rebuild(names, sealedStore));
  }
  console.log(JSON.stringify({ total: logEvents, batchSize, rows, ...(sealing ? { sealing } : {}) }));
} finally {
  await catalog.close();
  await postgresCpu.close();
  await store.close();
  await pool.end();
  redis?.disconnect();
  await elasticsearch?.close();
  await scratch.drop();
}
