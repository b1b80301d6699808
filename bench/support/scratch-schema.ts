import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Benchmarks run against DATABASE_URL (default: the local PostgreSQL) in a schema of their own,
// dropped afterwards, so they never touch real data.
export const BENCH_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `keep` names a schema to use as is (created when missing) and to leave in place afterwards. */
export const createScratchSchema = async (prefix: string, { keep }: { keep?: string | undefined } = {}) => {
  if (keep !== undefined && !/^[a-z_][a-z0-9_]*$/.test(keep)) throw new Error(`not a schema name: ${JSON.stringify(keep)}`);
  const schema = keep ?? `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${keep ? 'if not exists ' : ''}${schema}`);
  await admin.end();
  const url = new URL(BENCH_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: url.toString(),
    async drop() {
      if (keep) return;
      const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
};
