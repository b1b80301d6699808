import type pg from 'pg';
import { backendOf } from './http/backend-errors.js';
import { sleep } from '../projections/runtime/sleep.js';

// The read replica (DATABASE_READ_URL, docs/architecture.md "Read replicas"): a PostgreSQL
// streaming replica of DATABASE_URL's server that the read API's queries go to: the readers of
// the read models and the checkpoint reads of the read-your-writes waits. Commands, idempotency
// keys, rate-limit buckets, sessions, projectors and workers stay on the primary, and nothing
// creates tables there (a hot standby refuses writes; the primary's migrations reach it through
// the WAL).

/** The backend a replica that cannot answer is named as in a 503 (app/http/backend-errors.ts). */
export const READ_REPLICA_BACKEND = 'postgresql-replica';

/** Its connections' application_name: pg_stat_activity on the replica shows the read API's. */
export const READ_REPLICA_APPLICATION_NAME = 'instagram-read-api';

/**
 * The read API's pool on the replica (the API pool's size and timeouts: app/platform.ts
 * createPool), with every failure that means "PostgreSQL is unavailable" named as the replica's,
 * so that the 503 says which server is away.
 */
export const namedAsReplica = (pool: pg.Pool): pg.Pool => {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    const result = query(...args);
    return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asReplicaFailure(error))) : result;
  }) as typeof pool.query;
  return pool;
};

const asReplicaFailure = (error: unknown): unknown => {
  if (error instanceof Error && backendOf(error) === 'postgresql') Object.assign(error, { backend: READ_REPLICA_BACKEND });
  return error;
};

/**
 * A read with ?minPosition= whose projections the primary has applied but the replica has not
 * replayed yet, within the wait's bound: answered 503 (naming the replica) rather than with
 * data older than the client's own write.
 */
export class ReplicaBehindError extends Error {
  readonly backend = READ_REPLICA_BACKEND;
  constructor(readonly projections: readonly string[]) {
    super(`the read replica has not replayed ${projections.join(', ')} up to the position asked for`);
    this.name = 'ReplicaBehindError';
  }
}

/** The primary's WAL position now (LSN text). */
const currentLsn = async (primary: pg.Pool): Promise<string> => (await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;

/** True once the replica has replayed the primary's WAL up to `lsn`. */
const replayedUpTo = async (replica: pg.Pool, lsn: string): Promise<boolean> =>
  (await replica.query<{ done: boolean }>('select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) as done', [lsn])).rows[0]!.done;

/**
 * Waits until the replica has replayed everything the primary had written when called (the
 * tables the primary's pools just created, at start-up); throws after `timeoutMs`.
 */
export const waitForReplay = async (primary: pg.Pool, replica: pg.Pool, timeoutMs: number): Promise<void> => {
  // A server that is not in recovery replays nothing: it would only time out, saying less.
  const { standby } = (await replica.query<{ standby: boolean }>('select pg_is_in_recovery() as standby')).rows[0]!;
  if (!standby) throw new Error('DATABASE_READ_URL names a server that is not a streaming replica (pg_is_in_recovery() is false)');
  const lsn = await currentLsn(primary);
  const until = performance.now() + timeoutMs;
  while (!(await replayedUpTo(replica, lsn))) {
    if (performance.now() > until) throw Object.assign(new Error(`the read replica has not replayed the primary's WAL up to ${lsn} within ${timeoutMs} ms`), { backend: READ_REPLICA_BACKEND });
    await sleep(10);
  }
};
