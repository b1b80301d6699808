import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { loadSettings } from '../app/config.js';
import { createPlatform } from '../app/platform.js';
import { buildServer } from '../app/server.js';
import { readServiceUrls } from '../app/service-urls.js';
import { ensurePostgresReplica } from '../scripts/services/postgres-replica.js';
import { printFigures } from './support/report.js';

// Replica lag as read-your-writes sees it (DATABASE_READ_URL, docs/architecture.md "Read
// replicas"): a comment (a command on the primary), then the comments page with its
// ?minPosition=, one after the other, ROUNDS times; the page's answer time is the wait for the
// projection to apply the comment and, with a replica, for the replica to replay it. Baseline in
// the same run: the same platform without DATABASE_READ_URL (the wait on the primary alone). And
// the replica's own replay lag: from a commit on the primary until the replica has replayed it
// (pg_last_wal_replay_lsn), polled every millisecond. The primary and replica: POSTGRES_REPLICA_*
// (services:up writes them), else the bundled ones started here.
const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.ROUNDS ?? 200);

const fromFile = readServiceUrls(ROOT);
const { primaryUrl, replicaUrl } =
  (process.env.POSTGRES_REPLICA_PRIMARY_URL ?? fromFile.POSTGRES_REPLICA_PRIMARY_URL) && (process.env.POSTGRES_REPLICA_URL ?? fromFile.POSTGRES_REPLICA_URL)
    ? { primaryUrl: (process.env.POSTGRES_REPLICA_PRIMARY_URL ?? fromFile.POSTGRES_REPLICA_PRIMARY_URL)!, replicaUrl: (process.env.POSTGRES_REPLICA_URL ?? fromFile.POSTGRES_REPLICA_URL)! }
    : await ensurePostgresReplica(join(ROOT, '.services'), { primary: 15432, replica: 15433 });

const inSchema = (url: string, schema: string) => {
  const withPath = new URL(url);
  withPath.searchParams.set('options', `-c search_path=${schema}`);
  return withPath.toString();
};

const percentile = (values: number[], p: number) => {
  const sorted = values.toSorted((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
};
const summary = (ms: number[]) => ({ p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: percentile(ms, 100) });

const admin = new pg.Pool({ connectionString: primaryUrl, max: 2 });
const replica = new pg.Pool({ connectionString: replicaUrl, max: 2 });

/** ROUNDS comment-then-read pairs on a platform on a fresh schema; the reads' answer times. */
const readYourWritesTimes = async (withReplica: boolean): Promise<number[]> => {
  const schema = `bench_replica_${randomBytes(4).toString('hex')}`;
  await admin.query(`create schema ${schema}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-replica-'));
  const defaults = loadSettings({ RATE_LIMITS: 'off' }, []);
  const platform = await createPlatform(
    {
      ...defaults,
      dataDir,
      databaseUrl: inSchema(primaryUrl, schema),
      databaseReadUrl: withReplica ? inSchema(replicaUrl, schema) : undefined,
      jwtSecrets: ['bench-secret-that-is-at-least-32-characters-long'],
      media: { ...defaults.media, externalHosts: ['cdn.example.com'] },
    },
    { mailLog: () => undefined, mediaWorkers: false },
  );
  const app = await buildServer({ ...platform, logger: false });
  try {
    const call = async (method: 'GET' | 'POST', url: string, token?: string, body?: unknown) => {
      const response = await app.inject({ method, url, headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { payload: JSON.stringify(body) }) });
      if (response.statusCode >= 300) throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
      return { body: JSON.parse(response.body), headers: response.headers };
    };
    const name = `bench${randomBytes(3).toString('hex')}`;
    const { accessToken: token } = (await call('POST', '/api/v1/users/register', undefined, { username: name, email: `${name}@example.com`, password: 'correct horse battery' })).body;
    const { postId } = (await call('POST', '/api/v1/posts', token, { caption: 'lag', media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] })).body;
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { position } = (await call('POST', `/api/v1/posts/${postId}/comments`, token, { text: `comment ${round}` })).body;
      const started = performance.now();
      const page = await call('GET', `/api/v1/posts/${postId}/comments?minPosition=${encodeURIComponent(position)}&limit=1`, token);
      times.push(performance.now() - started);
      if (page.headers['x-stale-projections']) throw new Error(`round ${round}: a stale answer`);
    }
    return times;
  } finally {
    await app.close();
    await platform.close();
    await admin.query(`drop schema ${schema} cascade`);
    await rm(dataDir, { recursive: true, force: true });
  }
};

/** From a small commit on the primary until the replica has replayed it, ROUNDS times. */
const replayLagTimes = async (): Promise<number[]> => {
  const table = `bench_replica_tick_${randomBytes(4).toString('hex')}`;
  await admin.query(`create table public.${table} (n int)`);
  const times: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await admin.query(`insert into public.${table} values ($1)`, [round]);
      const started = performance.now();
      // Past the insert's commit record.
      const { rows } = await admin.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      while (!(await replica.query<{ done: boolean }>('select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [rows[0]!.lsn])).rows[0]!.done) await new Promise((r) => setTimeout(r, 1));
      times.push(performance.now() - started);
    }
  } finally {
    await admin.query(`drop table public.${table}`);
  }
  return times;
};

// The projectors commit without waiting for the WAL flush (projections/runtime/postgres-transaction.ts),
// and a replica only receives flushed WAL: their commits reach it at the WAL writer's next round.
const walWriterDelay = (await admin.query<{ delay: string }>("select current_setting('wal_writer_delay') as delay")).rows[0]!.delay;
const onReplica = await readYourWritesTimes(true);
const onPrimary = await readYourWritesTimes(false);
const replay = await replayLagTimes();
await admin.end();
await replica.end();

console.log(`primary's wal_writer_delay: ${walWriterDelay}`);
console.log(`read-your-writes read (comment, then its page with ?minPosition=), ${ROUNDS} rounds:`);
console.log(`  through the replica: p50 ${percentile(onReplica, 50)} ms, p99 ${percentile(onReplica, 99)} ms`);
console.log(`  on the primary (baseline): p50 ${percentile(onPrimary, 50)} ms, p99 ${percentile(onPrimary, 99)} ms`);
console.log(`replica replay lag (commit on the primary to replayed): p50 ${percentile(replay, 50)} ms, p99 ${percentile(replay, 99)} ms`);
printFigures('read-replica-lag', { rounds: ROUNDS, walWriterDelay, minPositionReadOnReplica: summary(onReplica), baselineMinPositionReadOnPrimary: summary(onPrimary), replicaReplayLag: summary(replay) });
