import pg from 'pg';

// Whether a PostgreSQL server answers at `connectionString` (the embedded fallbacks ask first).

export const isPostgresReachable = async (connectionString: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
};
