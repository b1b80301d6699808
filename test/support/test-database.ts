import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

export interface TestDatabase {
  /** Connection string whose search_path is this test's own schema. */
  url: string;
  schema: string;
  /** A pool on that schema, closed by drop(). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * Each test file gets a schema of its own in the shared test database, so that files run in
 * parallel without seeing each other's tables. Everything the code creates lands in it through
 * the search_path carried by the connection string. `base`: another server than the shared one
 * (the read replica's primary).
 */
export const createTestDatabase = async (base: string = inject('databaseUrl')): Promise<TestDatabase> => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();

  const url = withSearchPath(base, schema);
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    url,
    schema,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      // And the schemas of read model generations the test built (projections/runtime/generation-catalog.ts).
      const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1`, [`${schema}\\_g%`]);
      for (const { name } of rows) await client.query(`drop schema ${name} cascade`);
      await client.end();
    },
  };
};

/** `connectionString` with its search_path set to `schema` (a replica's URL: the test's schema there). */
export const withSearchPath = (connectionString: string, schema: string): string => {
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
};

/**
 * Two scratch databases for one file's tests, made before them and dropped after: a live read
 * model's and one built from the log, to be compared (the build property tests).
 */
export const useLiveAndBuiltDatabases = (): { live: TestDatabase; built: TestDatabase } => {
  const databases = {} as { live: TestDatabase; built: TestDatabase };
  beforeAll(async () => {
    [databases.live, databases.built] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([databases.live?.drop(), databases.built?.drop()]);
  });
  return databases;
};
