import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildShape, finishPostgresBuild, setUpPostgresSchema, type PostgresSchema } from '../../projections/runtime/build-schema.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// A generation being built takes the bulk-load shape (unlogged tables, only the indexes its own
// writes need), and finishPostgresBuild brings it to the serving shape: what the replay CLI
// switches to must be indistinguishable, in tables and indexes, from a generation set up live.
const SCHEMA: PostgresSchema = {
  lock: 'build-schema-test',
  ddl: `
create table if not exists things (id uuid primary key, owner uuid, kind text, at timestamptz);
create unique index if not exists things_by_kind on things (kind, id);
create index if not exists things_by_owner on things (owner, at desc);
create index if not exists things_by_at on things (at) where owner is not null;
`,
  tables: ['things'],
  buildIndexes: ['things_by_owner'],
  updatedAtFinish: ['things'],
};

const shapeOf = async (pool: pg.Pool) => {
  const { rows: tables } = await pool.query<{ name: string; persistence: string; options: string[] | null }>(
    `select c.relname as name, c.relpersistence as persistence, c.reloptions as options from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' order by 1`,
  );
  const { rows: indexes } = await pool.query<{ indexname: string }>('select indexname from pg_indexes where schemaname = current_schema() order by 1');
  const shape = (t: (typeof tables)[number]) => [t.name, t.persistence === 'u' ? 'unlogged' : 'logged', ...(t.options ?? [])].join(':');
  return { tables: tables.map(shape), indexes: indexes.map((i) => i.indexname) };
};

describe('the build shape of a PostgreSQL read model', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('defers only the non-unique indexes the projection does not name as needed while building', () => {
    const { now, deferred } = buildShape(SCHEMA);
    expect(deferred).toEqual(['create index if not exists things_by_at on things (at) where owner is not null']);
    expect(now).toContain('create unlogged table if not exists things');
    expect(now).toContain('things_by_kind');
    expect(now).toContain('things_by_owner');
  });

  it('is set up unlogged with the write-side indexes, room to update the rows its end updates, and finishes into the live shape', async () => {
    await setUpPostgresSchema(db.pool, SCHEMA, 'build');
    expect(await shapeOf(db.pool)).toEqual({
      tables: ['projection_checkpoints:unlogged', 'things:unlogged:fillfactor=50'],
      indexes: ['projection_checkpoints_pkey', 'things_by_kind', 'things_by_owner', 'things_pkey'],
    });
    await db.pool.query(`insert into things values (gen_random_uuid(), gen_random_uuid(), 'a', now())`);
    await finishPostgresBuild(db.pool, SCHEMA);
    await finishPostgresBuild(db.pool, SCHEMA); // idempotent: a resume may run it again
    const finished = await shapeOf(db.pool);
    await db.pool.query('drop table things, projection_checkpoints');
    await setUpPostgresSchema(db.pool, SCHEMA, 'live');
    expect(finished).toEqual(await shapeOf(db.pool));
    expect(finished.tables).toEqual(['projection_checkpoints:logged', 'things:logged']);
  });
});
