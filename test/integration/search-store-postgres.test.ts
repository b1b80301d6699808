import { createPostgresSearchStore } from '../../projections/search/postgres/store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { searchStoreContract } from './search-store.contract.js';

// The SearchStore contract against real PostgreSQL (full-text + pg_trgm). Each store gets a
// schema of its own: the checkpoint table is per schema, and a fresh store must start at START.

searchStoreContract('PostgreSQL', async () => {
  const databases: TestDatabase[] = [];
  return {
    newStore: async () => {
      const db = await createTestDatabase();
      databases.push(db);
      return createPostgresSearchStore(db.pool);
    },
    close: async () => {
      await Promise.all(databases.map((db) => db.drop()));
    },
  };
});
