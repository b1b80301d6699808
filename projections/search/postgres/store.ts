import type pg from 'pg';
import type { GenerationStorage } from '../../runtime/read-model.js';
import { loadCheckpoint } from '../../runtime/checkpoints-postgres.js';
import { applyInTransaction, inTransaction } from '../../runtime/postgres-transaction.js';
import { explorePostgres } from './explore.js';
import { finishSearchBuild, searchTables, setupSearchSchema } from './schema.js';
import { postsByHashtagPostgres, searchPostsPostgres } from './search-posts.js';
import type { SearchStore } from '../search-store.js';
import { searchUsersPostgres } from './search-users.js';
import { deriveEverySearchRow, searchBatchWriter, searchDeferredCounts, type WrittenSearchRows } from './write.js';
import { WrittenKeys } from '../../runtime/written-keys.js';
import { suggestHashtagsPostgres } from './suggest-hashtags.js';
import { locationPostgres, postsByLocationPostgres, searchPlacesPostgres } from './places.js';
import { findTrigramSchema } from './trigram-extension.js';

// Search in PostgreSQL, where Elasticsearch is not configured (docs/architecture.md "Search"): full-text
// search on captions and hashtags (tsvector, 'simple' configuration, GIN), pg_trgm for typo
// tolerance and autocomplete on usernames, names and hashtags, and the explore ranking computed
// at query time. Each batch is one transaction with its checkpoint (write.ts).

export interface PostgresSearchStoreOptions {
  /** Prefix of every table name (default 'search_'): a rebuild fills a new generation under another. */
  tablePrefix?: string;
  /** The generation's mode: 'build' sets up the bulk-load shape (schema.ts, runtime/build-schema.ts). */
  mode?: GenerationStorage['mode'];
}

export interface PostgresSearchStore extends SearchStore {
  /**
   * Mode 'build': derives the rows the batches left underived (write.ts deriveEverySearchRow),
   * then brings the tables to their serving shape (schema.ts finishSearchBuild). Idempotent.
   */
  finishBuild(): Promise<void>;
}

export const createPostgresSearchStore = (pool: pg.Pool, options: PostgresSearchStoreOptions = {}): PostgresSearchStore => {
  const tables = searchTables(options.tablePrefix ?? 'search_');
  const writeSearchBatch = searchBatchWriter(tables);
  const deferred = searchDeferredCounts(tables);
  // A generation built from the start of the log serves nothing before finishBuild: its batches
  // store what the events write and leave the derived rows to finishBuild, which derives them
  // once from the whole load; after it (a `verify` round, the handover) batches derive as live ones.
  let deriving = options.mode !== 'build';
  // Its only writer until then: the keys it wrote tell which rows are new (write.ts).
  const written: WrittenSearchRows | undefined = options.mode === 'build' ? new WrittenKeys() : undefined;

  // Where pg_trgm lives, looked up once: an API process may query without ever running setup().
  let trigramSchema: Promise<string> | undefined;
  const trigram = () =>
    (trigramSchema ??= findTrigramSchema(pool).then((schema) => {
      if (schema === null) throw new Error('pg_trgm is not installed: run the search projection setup first');
      return schema;
    })).catch((error: unknown) => {
      trigramSchema = undefined;
      throw error;
    });

  return {
    setup: async () => {
      await setupSearchSchema(pool, tables, options.mode);
      if (options.mode === 'build') await deferred.create(pool);
      trigramSchema = undefined;
    },
    apply: (events, checkpointKey, position) =>
      applyInTransaction(pool, checkpointKey, position, async (client) => {
        if (events.length > 0) await writeSearchBatch(client, events, deriving, written);
      }),
    async finishBuild() {
      written?.close();
      await inTransaction(pool, async (client) => {
        await deferred.addAll(client);
        await deriveEverySearchRow(client, tables);
      });
      await finishSearchBuild(pool, tables);
      deriving = true;
    },
    checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
    searchUsers: async (query) => searchUsersPostgres(pool, tables, await trigram(), query),
    searchPosts: (text, page) => searchPostsPostgres(pool, tables, text, page),
    postsByHashtag: (tag, sort, page) => postsByHashtagPostgres(pool, tables, tag, sort, page),
    suggestHashtags: async (text, limit) => suggestHashtagsPostgres(pool, tables, await trigram(), text, limit),
    explore: (now, page, windowDays) => explorePostgres(pool, tables, now, page, windowDays),
    searchPlaces: async (query) => searchPlacesPostgres(pool, tables, await trigram(), query),
    location: (id) => locationPostgres(pool, tables, id),
    postsByLocation: (id, sort, page) => postsByLocationPostgres(pool, tables, id, sort, page),
  };
};
