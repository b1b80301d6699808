import type pg from 'pg';

// pg_trgm (shipped with PostgreSQL, a "trusted" extension since 13) gives the search store its
// typo tolerance: trigram distance and GiST indexes that return the nearest strings.
//
// An extension is database-wide but lives in ONE schema, and this store's connections may see
// only their own schema (tests isolate by search_path; a replay may build in another). So it is
// installed in `public` (never in a schema some test drops with cascade, which would drop every
// trigram index with it), and every use names the schema it is actually in: operators as
// OPERATOR(schema.<->), operator classes as schema.gist_trgm_ops.

export type Queryable = pg.Pool | pg.PoolClient;

/** Another session creating it at the same moment makes ours fail; the extension is then there. */
const RACE = new Set(['23505', '42710', '42P06']);
const NO_SUCH_SCHEMA = '3F000';

const codeOf = (error: unknown) => (error as { code?: string }).code ?? '';

const createExtension = async (db: Queryable, sql: string): Promise<void> => {
  try {
    await db.query(sql);
  } catch (error) {
    if (!RACE.has(codeOf(error))) throw error;
  }
};

/** The schema pg_trgm is installed in, quoted for SQL; null when it is not installed. */
export const findTrigramSchema = async (db: Queryable): Promise<string | null> => {
  const { rows } = await db.query<{ schema: string }>(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
  );
  return rows[0] ? quoteIdentifier(rows[0].schema) : null;
};

/** Installs pg_trgm unless some schema already has it; returns that schema, quoted for SQL. */
export const ensureTrigramExtension = async (db: Queryable): Promise<string> => {
  const found = await findTrigramSchema(db);
  if (found) return found;
  try {
    await createExtension(db, 'create extension if not exists pg_trgm with schema public');
  } catch (error) {
    // A database without a public schema: the connection's own schema, then.
    if (codeOf(error) !== NO_SUCH_SCHEMA) throw error;
    await createExtension(db, 'create extension if not exists pg_trgm');
  }
  const schema = await findTrigramSchema(db);
  if (!schema) throw new Error('pg_trgm could not be installed');
  return schema;
};

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
