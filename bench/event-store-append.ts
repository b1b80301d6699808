// Append throughput of the PostgreSQL event store, against a plain INSERT of a similar row in the
// same run, so that the figures read as ratios on whatever machine runs them (DESIGN §9).
//   npx tsx bench/event-store-append.ts      (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
// Works in a scratch schema, dropped at the end. Each scenario runs for a fixed time.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '../events/envelope.js';
import type { EventStore, ExpectedRevision } from '../events/event-store.js';
import { createPostgresEventStore } from '../events/postgres/index.js';

const DURATION_MS = 1_500;
const CONCURRENT = 50;

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

/** Runs `operation` in `workers` loops until the time is up; returns operations per second. */
const measure = async (workers: number, operation: (worker: number) => Promise<void>): Promise<{ count: number; perSecond: number }> => {
  let count = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        await operation(worker);
        count++;
      }
    }),
  );
  return { count, perSecond: count / ((performance.now() - started) / 1000) };
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

const plainInsert = (pool: pg.Pool) => async () => {
  const event = postCreated();
  await pool.query(
    `insert into baseline_events (stream_id, stream_revision, event_id, type, schema_version, data, metadata)
     values ($1, 0, $2, $3, 2, $4, $5)`,
    [`post-${uuidv7()}`, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)],
  );
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
  const pool = new pg.Pool({ connectionString: withSearchPath(base, schema), max: CONCURRENT });
  try {
    const notifying = await createPostgresEventStore(pool, { notify: true });
    const quiet = await createPostgresEventStore(pool, { notify: false });
    // The same columns, defaults and indexes as the events table: only the adapter's work differs.
    await pool.query('create table baseline_events (like events including all)');

    const rows: { scenario: string; workers: number; baseline?: number; result: { count: number; perSecond: number } }[] = [];
    const run = async (scenario: string, workers: number, operation: () => Promise<void>) => {
      const result = await measure(workers, operation);
      rows.push({ scenario, workers, result, baseline: rows.find((r) => r.scenario.startsWith('plain INSERT') && r.workers === workers)?.result.perSecond });
    };

    await measure(4, plainInsert(pool)); // warm-up: connections, plans, caches
    await run('plain INSERT (baseline)', 1, plainInsert(pool));
    await run(`plain INSERT (baseline)`, CONCURRENT, plainInsert(pool));
    await run('one stream, expected revision', 1, oneStream(notifying));
    await run('new stream per append', 1, newStreams(notifying));
    await run('new stream per append', CONCURRENT, newStreams(notifying));
    await run('one stream, expected revision, no NOTIFY', 1, oneStream(quiet));
    await run('new stream per append, no NOTIFY', 1, newStreams(quiet));
    await run('new stream per append, no NOTIFY', CONCURRENT, newStreams(quiet));
    await notifying.close();
    await quiet.close();

    console.log(`PostgreSQL event store appends (1 event each, ${DURATION_MS / 1000} s per scenario)\n`);
    console.table(
      rows.map(({ scenario, workers, result, baseline }) => ({
        scenario,
        appenders: workers,
        appends: result.count,
        'appends/s': Math.round(result.perSecond),
        'vs plain INSERT': baseline && !scenario.startsWith('plain') ? `${((result.perSecond / baseline) * 100).toFixed(0)}%` : '',
      })),
    );
  } finally {
    await pool.end();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
};

await main();
