import type pg from 'pg';
import type { Position } from '../../events/index.js';
import { saveCheckpoint } from './checkpoints-postgres.js';

/**
 * Runs a PostgreSQL read model's writes for one batch and stores the checkpoint in the same
 * transaction: either both land or neither does, so a crash mid-batch leaves the read model and
 * its checkpoint in agreement and the retried batch starts from a clean slate.
 */
export const applyInTransaction = async (
  pool: pg.Pool,
  checkpointKey: string,
  position: Position,
  write: (client: pg.PoolClient) => Promise<void>,
): Promise<void> => {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // A read model can be rebuilt from the log, and its checkpoint commits with its writes: if
    // the server crashes before the WAL reaches disk, both are lost together and the batch is
    // applied again. So no commit waits for the flush (the largest cost of a small batch).
    await client.query("begin; set local synchronous_commit = off");
    await write(client);
    await saveCheckpoint(client, checkpointKey, position);
    await client.query('commit');
  } catch (error) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
};
