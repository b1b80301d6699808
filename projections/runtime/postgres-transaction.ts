import type pg from 'pg';
import type { Position } from '../../events/index.js';
import { saveCheckpoint } from './checkpoints-postgres.js';

/** Runs `work` in a transaction (opened by `begin`), committed when it resolves, rolled back when it throws. */
export const inTransaction = async <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'begin'): Promise<T> => {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
};

/**
 * Runs a read model's `create ... if not exists` statements while holding an advisory lock named
 * `lock`: instances (or projections) starting together would otherwise race on the catalog,
 * which `if not exists` alone does not prevent.
 */
export const createUnderLock = (pool: pg.Pool, lock: string, statements: string): Promise<void> =>
  inTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [lock]);
    await client.query(statements);
  });

/**
 * Runs a PostgreSQL read model's writes for one batch and stores the checkpoint in the same
 * transaction: either both land or neither does, so a crash mid-batch leaves the read model and
 * its checkpoint in agreement and the retried batch starts from a clean slate.
 *
 * A read model can be rebuilt from the log, and its checkpoint commits with its writes: if the
 * server crashes before the WAL reaches disk, both are lost together and the batch is applied
 * again. So no commit waits for the flush (the largest cost of a small batch).
 */
export const applyInTransaction = (
  pool: pg.Pool,
  checkpointKey: string,
  position: Position,
  write: (client: pg.PoolClient) => Promise<void>,
): Promise<void> =>
  inTransaction(
    pool,
    async (client) => {
      await write(client);
      await saveCheckpoint(client, checkpointKey, position);
    },
    'begin; set local synchronous_commit = off',
  );
