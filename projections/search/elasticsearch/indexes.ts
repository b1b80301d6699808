import type { Client, estypes } from '@elastic/elasticsearch';

// The Elasticsearch indexes of the search read model: their templates (analysis and mappings),
// the concrete indexes and the aliases every read and write goes through. An index is named
// `${prefix}${kind}-v${version}` and reached through the alias `${prefix}${kind}`, so that a
// rebuild can fill a new version beside the live one and swap the alias in one atomic call;
// the templates match `${prefix}${kind}-*`, so the new version gets the current mappings.
//
// Four indexes, one per kind of document, each document written by the events of ONE stream
// (write.ts explains the versions):
// - users: username (keyword, edge n-gram subfield for autocomplete) and display name (text,
//   edge n-gram subfield); typos through fuzzy queries on both.
// - posts: caption (english analyzer, and a plain subfield without stemming for the words the
//   english stemmer would mangle), hashtags (keywords), author, creation time, and the like and
//   comment counts with their engagement for 'top' and explore. Deleted posts stay as
//   tombstones (`live: false`), so that a stale write can never bring them back; posts of an
//   author in their deletion grace carry `hidden: true` and are found by no query.
//   Posts naming a place carry its id, name and grid point (places are aggregations of posts).
// - likes, comments: one small document per like or comment, the facts the counts derive from.

export const SEARCH_INDEX_KINDS = ['users', 'posts', 'likes', 'comments'] as const;
export type SearchIndexKind = (typeof SEARCH_INDEX_KINDS)[number];

/**
 * The version of the mappings below. A change existing documents cannot take bumps it; setup()
 * then updates the templates but leaves the live alias alone, and a rebuild fills the new
 * version and swaps the alias over to it.
 */
export const MAPPINGS_VERSION = 1;

export type SearchIndexes = Record<SearchIndexKind, { alias: string; index: string; template: string }>;

export const searchIndexes = (prefix: string): SearchIndexes => {
  // Index names: lowercase, no spaces or the characters Elasticsearch forbids.
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(prefix)) throw new Error(`not an index-name prefix: ${JSON.stringify(prefix)}`);
  const of = (kind: SearchIndexKind) => ({
    alias: `${prefix}${kind}`,
    index: `${prefix}${kind}-v${MAPPINGS_VERSION}`,
    template: `${prefix}${kind}`,
  });
  return { users: of('users'), posts: of('posts'), likes: of('likes'), comments: of('comments') };
};

/** Usernames and names are at most 30 characters: every prefix of one is a gram. */
const MAX_GRAM = 30;

const analysis: estypes.IndicesIndexSettingsAnalysis = {
  filter: {
    autocomplete_grams: { type: 'edge_ngram', min_gram: 1, max_gram: MAX_GRAM },
  },
  analyzer: {
    // A username is one token: autocomplete matches its beginnings, not words inside it.
    username_autocomplete: { type: 'custom', tokenizer: 'keyword', filter: ['lowercase', 'autocomplete_grams'] },
    username_search: { type: 'custom', tokenizer: 'keyword', filter: ['lowercase'] },
    // Names: words, lowercased, accents folded ('José' is found by 'jose').
    name: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
    name_autocomplete: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding', 'autocomplete_grams'] },
    caption_plain: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
  },
};

const mappings: Record<SearchIndexKind, estypes.MappingTypeMapping> = {
  users: {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      username: {
        type: 'keyword',
        fields: { autocomplete: { type: 'text', analyzer: 'username_autocomplete', search_analyzer: 'username_search' } },
      },
      displayName: {
        type: 'text',
        analyzer: 'name',
        fields: { autocomplete: { type: 'text', analyzer: 'name_autocomplete', search_analyzer: 'name' } },
      },
      private: { type: 'boolean' },
      state: { type: 'keyword' },
    },
  },
  posts: {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      authorId: { type: 'keyword' },
      caption: { type: 'text', analyzer: 'english', fields: { plain: { type: 'text', analyzer: 'caption_plain' } } },
      hashtags: { type: 'keyword' },
      createdAt: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
      live: { type: 'boolean' },
      public: { type: 'boolean' },
      hidden: { type: 'boolean' },
      deleted: { type: 'boolean' },
      // Added with locations (issue 17): the place (kernel/places.ts), its name with the names'
      // analyzer (accents folded) and as a keyword (the least name is shown), its grid point.
      locationId: { type: 'keyword' },
      locationName: { type: 'text', analyzer: 'name', fields: { raw: { type: 'keyword' } } },
      locationPoint: { type: 'geo_point' },
      /** The last revision of the post's stream applied to this document; -1 for none yet. */
      rev: { type: 'integer' },
      likeCount: { type: 'integer' },
      commentCount: { type: 'integer' },
      engagement: { type: 'integer' },
    },
  },
  likes: {
    dynamic: 'strict',
    properties: { postId: { type: 'keyword' }, userId: { type: 'keyword' }, active: { type: 'boolean' } },
  },
  comments: {
    dynamic: 'strict',
    properties: { postId: { type: 'keyword' }, active: { type: 'boolean' } },
  },
};

export interface SearchIndexSettings {
  /** Primary shards per index (default 1: exact term counts and scores; raise for big indexes). */
  shards?: number;
}

// One replica where the cluster has a second node, none on a single node (which stays green).
const AUTO_EXPAND_REPLICAS = '0-1';

const settingsOf = (kind: SearchIndexKind, options: SearchIndexSettings): estypes.IndicesIndexSettings => ({
  number_of_shards: options.shards ?? 1,
  auto_expand_replicas: AUTO_EXPAND_REPLICAS,
  ...(kind === 'users' || kind === 'posts' ? { analysis } : {}),
});

const errorType = (error: unknown): string | undefined =>
  (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;

// A generation being built (read-model.ts mode 'build') is read by nobody until finishBuild: its
// indexes are made without periodic refreshes (the writes refresh only what the pass itself
// searches: write.ts) and without replicas, which would index every document twice.
const BUILD_SETTINGS: estypes.IndicesIndexSettings = { refresh_interval: '-1', auto_expand_replicas: 'false', number_of_replicas: 0 };

/**
 * Creates the templates, then each index and its alias unless the alias already exists; idempotent.
 * `build`: new indexes take the bulk-load settings above, until finishSearchIndexesBuild.
 */
export const setupSearchIndexes = async (client: Client, indexes: SearchIndexes, options: SearchIndexSettings = {}, { build = false } = {}): Promise<void> => {
  for (const kind of SEARCH_INDEX_KINDS) {
    const { alias, index, template } = indexes[kind];
    await client.indices.putIndexTemplate({
      name: template,
      index_patterns: [`${alias}-*`],
      template: { settings: settingsOf(kind, options), mappings: mappings[kind] },
    });
    // The alias may point at another version (a rebuild swapped it): then it is left alone. When it
    // points at this version, fields added since the index was made (additions only, which an
    // existing index takes) are put on it; a rebuild fills them for the documents written before.
    if (await client.indices.existsAlias({ name: alias })) {
      const current = Object.keys(await client.indices.getAlias({ name: alias }));
      if (current.length === 1 && current[0] === index) await client.indices.putMapping({ index, ...mappings[kind] });
      continue;
    }
    try {
      await client.indices.create({ index, aliases: { [alias]: { is_write_index: true } }, ...(build ? { settings: BUILD_SETTINGS } : {}) });
    } catch (error) {
      // Another instance created it first; it made the alias in the same call.
      if (errorType(error) !== 'resource_already_exists_exception') throw error;
      if (!(await client.indices.existsAlias({ name: alias }))) await client.indices.putAlias({ index, name: alias, is_write_index: true });
    }
  }
};

/**
 * Brings indexes set up with `build` to their serving settings (the template's: periodic refresh,
 * replicas where there is a second node), and refreshes them so that readers see every write.
 * Idempotent.
 */
export const finishSearchIndexesBuild = async (client: Client, indexes: SearchIndexes): Promise<void> => {
  const aliases = SEARCH_INDEX_KINDS.map((kind) => indexes[kind].alias);
  // null puts refresh_interval back to the default, which the template leaves it at (the client types allow no null).
  await client.indices.putSettings({ index: aliases, settings: { refresh_interval: null, auto_expand_replicas: AUTO_EXPAND_REPLICAS } as unknown as estypes.IndicesIndexSettings });
  await client.indices.refresh({ index: aliases });
};

/** Drops every index, alias and template under the prefix (tests and benchmarks clean up with it). */
export const dropSearchIndexes = async (client: Client, indexes: SearchIndexes): Promise<void> => {
  for (const kind of SEARCH_INDEX_KINDS) {
    const { alias, template } = indexes[kind];
    await client.indices.delete({ index: `${alias}-*`, ignore_unavailable: true, allow_no_indices: true });
    await client.indices.deleteIndexTemplate({ name: template }, { ignore: [404] });
  }
};
