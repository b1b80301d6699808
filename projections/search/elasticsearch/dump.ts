import type { Client } from '@elastic/elasticsearch';
import { canonicalJson } from '../../runtime/canonical-json.js';
import type { ReadModelDump } from '../../runtime/read-model.js';
import { SEARCH_INDEX_KINDS, type SearchIndexes } from './indexes.js';

/** Every document of the search indexes, keyed by kind and id, for `replay verify`. */
export const dumpSearchIndexes = async (client: Client, indexes: SearchIndexes): Promise<ReadModelDump> => {
  const dump: ReadModelDump = new Map();
  for (const kind of SEARCH_INDEX_KINDS) {
    const { alias } = indexes[kind];
    await client.indices.refresh({ index: alias });
    for await (const page of client.helpers.scrollSearch({ index: alias, size: 1_000, query: { match_all: {} } })) {
      for (const hit of page.body.hits.hits) dump.set(`${kind} ${hit._id}`, canonicalJson(hit._source));
    }
  }
  return dump;
};
