import type { Client, estypes } from '@elastic/elasticsearch';
import type { SearchIndexes } from './indexes.js';
import type { HashtagCount } from '../search-store.js';
import { normalizeQuery, typoAllowance, typoDistance } from '../text-match.js';
import { HIDDEN } from './search-posts.js';

// Hashtag suggestions in Elasticsearch: there is no hashtags index, the counts are terms
// aggregations over the live posts of public authors (so a deleted post or an edited caption moves them at once,
// and nothing is ever incremented). Two sources of candidates, in one request:
// - tags starting with the text: a terms aggregation restricted to them (`include` regex),
//   most used first: exact counts, already in the final order;
// - tags within the typo allowance (text-match.ts, Elasticsearch's AUTO): the term suggester
//   (a spell checker over the hashtags field) names up to FUZZY_CANDIDATES of them, which a
//   second aggregation then counts over live public posts (the suggester's frequencies
//   include deleted and private posts, so a tag it names that no public post carries is dropped). Tags are filtered by the same rule as the PostgreSQL adapter.

const MAX_LIMIT = 100;
const FUZZY_CANDIDATES = 50;

/** Live posts of public, listed authors: a private or deleting account's tags never show, nor count (docs.ts `public`, `hidden`). */
const COUNTED: estypes.QueryDslQueryContainer = { bool: { filter: [{ term: { live: true } }, { term: { public: true } }], must_not: [HIDDEN] } };

/** `text` as a literal in a Lucene regular expression. */
const regexLiteral = (text: string) => text.replace(/[.?+*|{}[\]()"\\#@&<>~^$]/g, (c) => `\\${c}`);

interface Bucket {
  key: string;
  doc_count: number;
}

const bucketsOf = (aggregations: Record<string, estypes.AggregationsAggregate> | undefined, name: string): Bucket[] =>
  (aggregations?.[name] as { buckets?: Bucket[] } | undefined)?.buckets ?? [];

const byCountThenTag = (a: HashtagCount, b: HashtagCount) => b.posts - a.posts || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);

export const suggestHashtagsElasticsearch = async (client: Client, indexes: SearchIndexes, text: string, limit: number): Promise<HashtagCount[]> => {
  const query = normalizeQuery(text);
  const wanted = Math.min(MAX_LIMIT, Math.max(0, Math.trunc(limit)));
  if (query === '' || wanted === 0) return [];
  const allowance = typoAllowance([...query].length);
  const first = await client.search({
    index: indexes.posts.alias,
    size: 0,
    query: COUNTED,
    aggs: {
      prefixed: {
        terms: { field: 'hashtags', include: `${regexLiteral(query)}.*`, size: wanted, order: [{ _count: 'desc' }, { _key: 'asc' }] },
      },
    },
    ...(allowance > 0
      ? {
          suggest: {
            typos: {
              text: query,
              term: {
                field: 'hashtags',
                suggest_mode: 'always',
                max_edits: allowance,
                prefix_length: 0,
                min_word_length: 1,
                // The suggester's own similarity threshold is off: the edit distance decides.
                accuracy: 0,
                max_term_freq: 1, // a fraction: suggest for a tag in any share of the posts
                size: FUZZY_CANDIDATES,
                sort: 'frequency',
              },
            },
          },
        }
      : {}),
  });
  const found = new Map<string, number>();
  for (const bucket of bucketsOf(first.aggregations, 'prefixed')) found.set(bucket.key, bucket.doc_count);

  const suggested = (first.suggest?.typos ?? [])
    .flatMap((entry) => (Array.isArray(entry.options) ? entry.options : [entry.options]))
    .map((option) => option.text)
    .filter((tag) => !found.has(tag) && typoDistance(query, tag) !== null);
  if (suggested.length > 0) {
    const counted = await client.search({
      index: indexes.posts.alias,
      size: 0,
      query: { bool: { filter: [COUNTED, { terms: { hashtags: suggested } }] } },
      aggs: { typos: { terms: { field: 'hashtags', include: suggested, size: suggested.length } } },
    });
    for (const bucket of bucketsOf(counted.aggregations, 'typos')) found.set(bucket.key, bucket.doc_count);
  }
  return [...found]
    .map(([tag, posts]) => ({ tag, posts }))
    .filter((entry) => entry.posts > 0)
    .sort(byCountThenTag)
    .slice(0, wanted);
};
