import type pg from 'pg';

// Transactions on a pool, for every PostgreSQL adapter (the event store's migrations, the
// projections' batches, the write side's stores): the lowest layer that speaks PostgreSQL.

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
 * `lock` in the connection's schema: instances (or projections) starting together would otherwise
 * race on the catalog, which `if not exists` alone does not prevent. The lock is the schema's, as
 * the tables are: a generation being built (its own schema) or a test's schema is never held up
 * by another's DDL waiting behind a long batch there.
 */
export const createUnderLock = (pool: pg.Pool, lock: string, statements: string): Promise<void> =>
  inTransaction(pool, async (client) => {
    await client.query("select pg_advisory_xact_lock(hashtext(current_schema() || '.' || $1))", [lock]);
    await client.query(statements);
  });
