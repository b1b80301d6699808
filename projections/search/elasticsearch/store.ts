import type { Client } from '@elastic/elasticsearch';
import type pg from 'pg';
import { ensureCheckpointTable, loadCheckpoint, saveCheckpoint } from '../../runtime/checkpoints-postgres.js';
import type { GenerationStorage } from '../../runtime/read-model.js';
import { exploreElasticsearch } from './explore.js';
import { finishSearchIndexesBuild, searchIndexes, setupSearchIndexes, type SearchIndexSettings } from './indexes.js';
import { postsByHashtagElasticsearch, searchPostsElasticsearch } from './search-posts.js';
import type { SearchStore } from '../search-store.js';
import { searchUsersElasticsearch } from './search-users.js';
import { writeSearchBatch } from './write.js';
import { suggestHashtagsElasticsearch } from './suggest-hashtags.js';
import { locationElasticsearch, postsByLocationElasticsearch, searchPlacesElasticsearch } from './places.js';

// Search in Elasticsearch (docs/architecture.md "Search"): the indexes and aliases of
// indexes.ts, idempotent whole-document writes (write.ts),
// and the queries beside them. The checkpoint lives in PostgreSQL, like the Redis read models':
// it is saved after the batch's writes, which are refreshed by then, so a reader that waited for
// the checkpoint (read-your-writes) finds them. A crash in between re-applies the batch, which
// changes nothing.

export interface ElasticsearchSearchStoreOptions extends SearchIndexSettings {
  /**
   * Prefix of every index, alias and template name, and of the checkpoint keys,
   * so that a rebuild fills a new generation beside the live one, each with its own checkpoints.
   */
  prefix: string;
  /**
   * The generation's mode: 'build' makes new indexes without refresh or replicas, and refreshes
   * only what the batches' own searches read (write.ts), until finishBuild.
   */
  mode?: GenerationStorage['mode'];
}

export interface ElasticsearchSearchStore extends SearchStore {
  /** A generation opened in mode 'build' to its serving shape: index settings restored, refreshed, and every later write refreshed. Idempotent. */
  finishBuild(): Promise<void>;
}

export const createElasticsearchSearchStore = (
  client: Client,
  checkpoints: pg.Pool,
  options: ElasticsearchSearchStoreOptions,
): ElasticsearchSearchStore => {
  const { prefix, mode = 'live' } = options;
  const indexes = searchIndexes(prefix);
  // After finishBuild, a build's handover batches are written as live ones: readers may be switched to it.
  let building = mode === 'build';
  const checkpointRow = (checkpointKey: string) => `${prefix}${checkpointKey}`;
  return {
    setup: async () => {
      await ensureCheckpointTable(checkpoints);
      await setupSearchIndexes(client, indexes, options, { build: building });
    },
    async finishBuild() {
      await finishSearchIndexesBuild(client, indexes);
      building = false;
    },
    apply: async (events, checkpointKey, position) => {
      if (events.length > 0) await writeSearchBatch(client, indexes, events, { refreshForReaders: !building });
      await saveCheckpoint(checkpoints, checkpointRow(checkpointKey), position);
    },
    checkpoint: (checkpointKey) => loadCheckpoint(checkpoints, checkpointRow(checkpointKey)),
    searchUsers: (query) => searchUsersElasticsearch(client, indexes, query),
    searchPosts: (text, page) => searchPostsElasticsearch(client, indexes, text, page),
    postsByHashtag: (tag, sort, page) => postsByHashtagElasticsearch(client, indexes, tag, sort, page),
    suggestHashtags: (text, limit) => suggestHashtagsElasticsearch(client, indexes, text, limit),
    explore: (now, page, windowDays) => exploreElasticsearch(client, indexes, now, page, windowDays),
    searchPlaces: (query) => searchPlacesElasticsearch(client, indexes, query),
    location: (id) => locationElasticsearch(client, indexes, id),
    postsByLocation: (id, sort, page) => postsByLocationElasticsearch(client, indexes, id, sort, page),
  };
};
