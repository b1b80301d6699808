export * from './explore-score.js';
export { createSearchProjection, SEARCH } from './search-projection.js';
export { createPostgresSearchStore, type PostgresSearchStoreOptions } from './search-store-postgres.js';
export * from './search-store.js';
