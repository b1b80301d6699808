import type { Client } from '@elastic/elasticsearch';
import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { dumpSearchIndexes } from './elasticsearch/dump.js';
import { dropSearchIndexes, searchIndexes } from './elasticsearch/indexes.js';
import { SEARCH, createSearchProjection } from './search-projection.js';
import { searchTables } from './postgres/schema.js';
import { searchDeferredCounts } from './postgres/write.js';
import { createElasticsearchSearchStore } from './elasticsearch/store.js';
import { createPostgresSearchStore } from './postgres/store.js';
import type { SearchStore } from './search-store.js';

/** The search read model as registered with the platform (and so with the replay CLI); in Elasticsearch when given. */
export const searchReadModel = ({ elasticsearch }: { elasticsearch: Client | null }): ReadModelDefinition<SearchStore> => ({
  name: SEARCH,
  backend: elasticsearch ? 'elasticsearch' : 'postgresql',
  open: ({ pool, elasticsearchPrefix, mode }) => {
    const indexStore = elasticsearch ? createElasticsearchSearchStore(elasticsearch, pool, { prefix: elasticsearchPrefix, mode }) : null;
    const postgresStore = indexStore ? null : createPostgresSearchStore(pool, { mode });
    const store = indexStore ?? postgresStore!;
    const named = searchTables('search_');
    const tables = Object.values(named);
    const indexes = searchIndexes(elasticsearchPrefix);
    return {
      projection: createSearchProjection(store),
      reader: store,
      dump: () => (elasticsearch ? dumpSearchIndexes(elasticsearch, indexes) : dumpTables(pool, tables, { [named.hashtags]: 'posts > 0', [named.locations]: 'posts > 0' })),
      analyze: () => (elasticsearch ? Promise.resolve() : analyzeTables(pool, tables, { building: mode === 'build' })),
      ...(mode === 'build' ? { finishBuild: () => (indexStore ?? postgresStore!).finishBuild() } : {}),
      async drop() {
        if (elasticsearch) await dropSearchIndexes(elasticsearch, indexes);
        else await dropTables(pool, [...tables, ...searchDeferredCounts(named).tables]);
        // The Elasticsearch store keys its checkpoint rows by its prefix (elasticsearch/store.ts).
        await deleteCheckpoints(pool, elasticsearch ? `${elasticsearchPrefix}${SEARCH}` : SEARCH);
      },
    };
  },
});
