import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerationCatalog } from '../../projections/runtime/generation-catalog.js';
import type { GenerationStorage, ReadModelDefinition } from '../../projections/runtime/read-model.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// A rebuilt generation's pool answers the API's clients after the switch, so it must keep the
// timeouts of the pool it was derived from (app/platform.ts createPool): without them a slow
// statement on generation 2 would hold a connection for as long as it runs.
describe('generation pools', () => {
  let db: TestDatabase;
  let base: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    base = new pg.Pool({ connectionString: db.url, max: 2, connectionTimeoutMillis: 4_321, statement_timeout: 1_234, idle_in_transaction_session_timeout: 5_678 });
  });
  afterAll(async () => {
    await base.end();
    await db.drop();
  });

  it('carry the base pool’s connect, statement and idle-in-transaction timeouts into a new generation', async () => {
    let seen: GenerationStorage | undefined;
    const definition = {
      name: 'probe',
      open: (storage: GenerationStorage) => {
        seen = storage;
        return { drop: async () => undefined } as never;
      },
    } as unknown as ReadModelDefinition;
    const catalog = createGenerationCatalog({ pool: base, redisPrefix: 't:', elasticsearchPrefix: 't-', definitions: [definition] });
    try {
      await catalog.open('probe', 2, 'rebuild');
      const pool = seen!.pool;
      expect((pool.options as pg.PoolConfig).connectionTimeoutMillis).toBe(4_321);
      const { rows } = await pool.query<{ statement: string; idle: string; path: string }>(
        `select current_setting('statement_timeout') as statement, current_setting('idle_in_transaction_session_timeout') as idle, current_schema() as path`,
      );
      expect(rows[0]).toEqual({ statement: '1234ms', idle: '5678ms', path: `${db.schema}_g2_probe` });
    } finally {
      await catalog.close();
    }
  });
});
