import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows, textArrayField } from '../../projections/runtime/copy-rows.js';
import { analyzeTables } from '../../projections/runtime/dump-postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The COPY appends of a build (runtime/copy-rows.ts) store each field as a parameterised INSERT
// of the same value does: whatever the text holds (tabs, newlines, backslashes, \N spelled out),
// nulls, booleans, numbers, JSON and text arrays (textArrayField). And a build's statistics refresh (analyzeTables, building)
// leaves the connection at the server's statistics target.

const COLUMNS = ['id', 'label', 'count', 'weight', 'flag', 'doc', 'tags'];
const textArbitrary = fc.string({ unit: fc.constantFrom('a', 'é', '\t', '\n', '\r', '\\', 'N', '\\N', ' ', '"', '{') });
const rowArbitrary = fc.record({
  label: fc.option(textArbitrary, { nil: null }),
  count: fc.option(fc.integer(), { nil: null }),
  weight: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
  flag: fc.option(fc.boolean(), { nil: null }),
  doc: fc.option(fc.dictionary(textArbitrary, textArbitrary, { maxKeys: 3 }), { nil: null }),
  tags: fc.option(fc.array(textArbitrary, { maxLength: 4 }), { nil: null }),
});

describe('copyRows', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const table of ['copied', 'inserted']) {
      await db.pool.query(`create table ${table} (id int primary key, label text, count int, weight float8, flag boolean, doc jsonb, tags text[])`);
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores every field as a parameterised insert of the same value does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArbitrary, { maxLength: 20 }), async (drawn) => {
        const rows = drawn.map((row, id) => ({ id, ...row }));
        await db.pool.query('truncate copied, inserted');
        const client = await db.pool.connect();
        try {
          await copyRows(client, 'copied', COLUMNS, rows.map((row) => ({ ...row, tags: textArrayField(row.tags) })));
        } finally {
          client.release();
        }
        for (const row of rows) {
          await db.pool.query('insert into inserted values ($1, $2, $3, $4, $5, $6, $7)', [
            row.id,
            row.label,
            row.count,
            row.weight,
            row.flag,
            row.doc === null ? null : JSON.stringify(row.doc),
            row.tags,
          ]);
        }
        const read = async (table: string) => (await db.pool.query(`select to_jsonb(t)::text as row from ${table} t order by id`)).rows;
        expect(await read('copied')).toEqual(await read('inserted'));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a name that is not a plain identifier, and sends nothing for no rows', async () => {
    const client = await db.pool.connect();
    try {
      await expect(copyRows(client, 'copied; drop table inserted', COLUMNS, [{ id: 1 }])).rejects.toThrow(/not an SQL identifier/);
      await copyRows(client, 'no_such_table', COLUMNS, []);
    } finally {
      client.release();
    }
  });

  it("a build's statistics refresh leaves the connection at the server's target", async () => {
    const single = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const target = async () => (await single.query<{ t: string }>('show default_statistics_target')).rows[0]!.t;
      const before = await target();
      await single.query('truncate copied');
      await single.query('insert into copied (id) select generate_series(1, 50)');
      // A table never analyzed since its truncation counts -1 tuples; ANALYZE counts them.
      await analyzeTables(single, ['copied', 'inserted'], { building: true });
      expect(await target()).toBe(before);
      const { rows } = await single.query<{ tuples: number }>(`select reltuples::int as tuples from pg_class where oid = 'copied'::regclass`);
      expect(rows[0]!.tuples).toBe(50);
    } finally {
      await single.end();
    }
  });
});
