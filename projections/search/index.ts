export * from './explore-score.js';
export { createSearchProjection, SEARCH } from './search-projection.js';
export { createPostgresSearchStore, type PostgresSearchStoreOptions } from './postgres/store.js';
export * from './search-store.js';
