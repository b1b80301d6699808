import type pg from 'pg';
import type { Position } from '../../events/index.js';
import { inTransaction } from '../../events/postgres/transaction.js';
import { saveCheckpoint } from './checkpoints-postgres.js';

export { createUnderLock, inTransaction } from '../../events/postgres/transaction.js';

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
