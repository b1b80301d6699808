// Append throughput of the PostgreSQL event store, against a plain INSERT of a similar row in the
// same run, so that the figures read as ratios on whatever machine runs them (docs/architecture.md "Performance budgets").
//   npx tsx bench/event-store-append.ts      (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
// Works in a scratch schema, dropped at the end. Scenarios run for a fixed time each, taking
// turns over a few rounds, so that a change in machine load (other processes, disk flushes)
// weighs on all of them alike and the ratios stay meaningful.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../events/envelope.js';
import type { EventStore, ExpectedRevision } from '../events/event-store.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { printFigures } from './support/report.js';

const ROUNDS = 3;
const DURATION_MS = 600;
const CONCURRENT = 50;
const BASELINE = 'plain INSERT (baseline)';

const postCreated = (): NewEvent => {
  const postId = uuidv7();
  return {
    eventId: uuidv7(),
    type: 'PostCreated',
    data: {
      postId,
      authorId: '0190a000-0000-7000-8000-000000000001',
      caption: 'sunset at the beach #beach #sunset with @ann',
      hashtags: ['beach', 'sunset'],
      mentions: ['ann'],
      media: [{ url: `media/${postId}.jpg`, type: 'image', width: 1080, height: 1350 }],
      createdAt: new Date().toISOString(),
    },
    metadata: { correlationId: uuidv7(), causationId: null, actorId: '0190a000-0000-7000-8000-000000000001', occurredAt: new Date().toISOString() },
  };
};

/** Runs `operation` in `workers` loops until the time is up; counts the operations done. */
const measure = async (workers: number, operation: () => Promise<void>): Promise<{ count: number; seconds: number }> => {
  let count = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        await operation();
        count++;
      }
    }),
  );
  return { count, seconds: (performance.now() - started) / 1000 };
};

/** A new stream per append, like creating a post. */
const newStreams = (store: EventStore) => () => store.append(`post-${uuidv7()}`, [postCreated()], 'no_stream').then(() => undefined);

const oneStream = (store: EventStore) => {
  const stream = `post-${uuidv7()}`;
  let expected: ExpectedRevision = 'no_stream';
  return async () => {
    expected = (await store.append(stream, [postCreated()], expected)).nextRevision;
  };
};

const INSERT = `insert into baseline_events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
  values ($1, 0, $2, $3, 2, $4, $5)`;

/** The baseline: one INSERT of the same row, optionally with a NOTIFY in its transaction. */
const plainInsert = (pool: pg.Pool, notify = false) => async () => {
  const event = postCreated();
  const sql = notify ? `with inserted as (${INSERT} returning 1) select pg_notify('bench', '') from inserted` : INSERT;
  await pool.query(sql, [`post-${uuidv7()}`, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)]);
};

const withSearchPath = (connectionString: string, schema: string): string => {
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
};

const main = async () => {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  // Room for every appender plus the store's notifier, so that appenders never wait for a connection.
  const pool = new pg.Pool({ connectionString: withSearchPath(base, schema), max: CONCURRENT + 2 });
  try {
    const notifying = await createPostgresEventStore(pool, { notify: true });
    const quiet = await createPostgresEventStore(pool, { notify: false });
    // The same columns, defaults and indexes as the events table: only the adapter's work differs.
    await pool.query('create table baseline_events (like events including all)');

    const scenarios: { name: string; workers: number; operation: () => Promise<void> }[] = [
      { name: BASELINE, workers: 1, operation: plainInsert(pool) },
      { name: BASELINE, workers: CONCURRENT, operation: plainInsert(pool) },
      // Why the store notifies after commit rather than inside each append's transaction.
      { name: 'plain INSERT + NOTIFY in its transaction', workers: CONCURRENT, operation: plainInsert(pool, true) },
      { name: 'one stream, expected revision', workers: 1, operation: oneStream(notifying) },
      { name: 'new stream per append', workers: 1, operation: newStreams(notifying) },
      { name: 'new stream per append', workers: CONCURRENT, operation: newStreams(notifying) },
      { name: 'new stream per append, notify off', workers: CONCURRENT, operation: newStreams(quiet) },
    ];
    const totals = scenarios.map(() => ({ count: 0, seconds: 0 }));
    // Warm-up on every connection: each one plans the INSERT and compiles the append function
    // once, which would otherwise count against whichever scenario first uses it.
    await measure(CONCURRENT, plainInsert(pool));
    await measure(CONCURRENT, newStreams(quiet));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, { workers, operation }] of scenarios.entries()) {
        const result = await measure(workers, operation);
        totals[i]!.count += result.count;
        totals[i]!.seconds += result.seconds;
      }
    }
    await notifying.close();
    await quiet.close();

    const rate = (i: number) => totals[i]!.count / totals[i]!.seconds;
    const baselineOf = (workers: number) => scenarios.findIndex((sc) => sc.name === BASELINE && sc.workers === workers);
    console.log(`PostgreSQL event store appends (1 event each; ${ROUNDS} rounds of ${DURATION_MS} ms per scenario)\n`);
    console.table(
      scenarios.map(({ name, workers }, i) => ({
        scenario: name,
        appenders: workers,
        appends: totals[i]!.count,
        'appends/s': Math.round(rate(i)),
        'vs plain INSERT': name === BASELINE ? '' : `${((rate(i) / rate(baselineOf(workers))) * 100).toFixed(0)}%`,
      })),
    );
    printFigures('append', {
      roundsOf: { rounds: ROUNDS, milliseconds: DURATION_MS },
      scenarios: scenarios.map(({ name, workers }, i) => ({
        scenario: name,
        appenders: workers,
        appendsPerSecond: Math.round(rate(i)),
        baselinePerSecond: Math.round(rate(baselineOf(workers))),
      })),
    });
  } finally {
    await pool.end();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
};

await main();
