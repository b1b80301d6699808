// Push bus throughput: pushes of one fan-out chunk (1,000 recipients, one of them listening in
// another "process", i.e. another bus instance) through each adapter, timed from the first
// publish to the listener having received the last; next to a same-run baseline of the raw
// transport: pipelined PUBLISHes for Redis, the same packed NOTIFY payloads, unheard, for PostgreSQL.
//   npx tsx bench/push-bus.ts    (REDIS_URL, else redis://127.0.0.1:6379; DATABASE_URL, else the local test database)
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPostgresPushBus, packPayloads } from '../projections/push/push-bus-postgres.js';
import { createRedisPushBus } from '../projections/push/push-bus-redis.js';
import type { PushBus, PushMessage } from '../projections/push/push-bus.js';
import { createScratchSchema } from './support/scratch-schema.js';
import { printFigures } from './support/report.js';

const RECIPIENTS = 1_000;
const PUSHES = 200;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const message: PushMessage = { type: 'feed', postId: randomUUID(), authorId: randomUUID(), score: Date.now() };

const figures: { what: string; recipientsPerSecond: number }[] = [];
const report = (name: string, seconds: number) => {
  figures.push({ what: name, recipientsPerSecond: Math.round((PUSHES * RECIPIENTS) / seconds) });
  console.log(`${name.padEnd(34)} ${Math.round((PUSHES * RECIPIENTS) / seconds).toLocaleString('en').padStart(11)} recipients/s  (${((seconds * 1000) / PUSHES).toFixed(2)} ms per ${RECIPIENTS}-recipient push)`);
};

/** Recipients delivered per second: PUSHES pushes to RECIPIENTS users, until the listener has them all. */
const measure = async (name: string, publisherBus: PushBus, listenerBus: PushBus) => {
  const users = Array.from({ length: RECIPIENTS }, () => randomUUID());
  let received = 0;
  let done = () => undefined as void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const stop = await listenerBus.subscribe(users[RECIPIENTS - 1]!, () => ++received === PUSHES && done());
  const started = performance.now();
  for (let i = 0; i < PUSHES; i++) await publisherBus.publish(users, message);
  await all;
  const seconds = (performance.now() - started) / 1000;
  stop();
  report(name, seconds);
};

const baseline = async (name: string, send: (users: string[]) => Promise<unknown>) => {
  const users = Array.from({ length: RECIPIENTS }, () => randomUUID());
  const started = performance.now();
  for (let i = 0; i < PUSHES; i++) await send(users);
  const seconds = (performance.now() - started) / 1000;
  report(name, seconds);
};

const main = async () => {
  const text = JSON.stringify(message);
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const prefix = `bench_${randomBytes(4).toString('hex')}:`;
  await baseline('baseline: pipelined PUBLISH', (users) => {
    const pipeline = redis.pipeline();
    for (const user of users) pipeline.publish(`${prefix}push:{${user}}`, text);
    return pipeline.exec();
  });
  const [a, b] = [createRedisPushBus(redis, { prefix }), createRedisPushBus(redis, { prefix })];
  await measure('Redis bus (PUBLISH per recipient)', a, b);
  await Promise.all([a.close(), b.close()]);

  const scratch = await createScratchSchema('bench_push');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 4 });
  // The same packed notifications the bus sends, with no one listening.
  await baseline('baseline: the same NOTIFYs, raw', (users) =>
    pool.query(`select pg_notify('bench', payload) from unnest($1::text[]) as payload`, [packPayloads(users, message)]),
  );
  const [c, d] = [createPostgresPushBus(pool), createPostgresPushBus(pool)];
  await measure('PostgreSQL bus (NOTIFY, packed)', c, d);
  await Promise.all([c.close(), d.close()]);
  await pool.end();
  await scratch.drop();
  redis.disconnect();
  printFigures('push-bus', { pushes: PUSHES, recipients: RECIPIENTS, rows: figures });
};

await main();
