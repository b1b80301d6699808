import type { Client, estypes } from '@elastic/elasticsearch';
import { normalizePlaceName } from '../../../kernel/places.js';
import type { Page, PageRequest } from '../../runtime/page.js';
import { MAX_PAGE_LIMIT } from '../../runtime/page.js';
import { rankPlaces } from '../place-ranking.js';
import { PLACES_NAME_CANDIDATES } from '../query-bounds.js';
import type { PlaceHit, PlaceQuery } from '../search-store.js';
import type { PostDoc } from './docs.js';
import type { SearchIndexes } from './indexes.js';
import { HIDDEN, postsByFilterElasticsearch } from './search-posts.js';

// Places in Elasticsearch: there is no locations index, a place is the live posts of public,
// listed authors that carry its id (as hashtag counts are: suggest-hashtags.ts), so a deletion or
// a privacy change moves it at once. Candidates are one post per location (collapse on
// `locationId`) matching the name (fuzziness AUTO, or the beginnings of its words) and, with a
// point, within the radius (geo_distance), nearest first; a second request counts them and takes
// their least name (a terms aggregation ordered by key: byte order, as PostgreSQL's "C"
// collation). place-ranking.ts then applies the rule both adapters share.

/** The posts a place is made of (docs.ts `live`, `public`, `hidden`). */
const COUNTED: estypes.QueryDslQueryContainer = { bool: { filter: [{ term: { live: true } }, { term: { public: true } }], must_not: [HIDDEN] } };

interface Bucket {
  key: string;
  doc_count: number;
  name?: { buckets?: { key: string }[] };
  point?: { hits?: { hits?: { _source?: Pick<PostDoc, 'locationPoint'> }[] } };
}

/** The places of `ids` as counted now, each with its least name and its point. */
const countPlaces = async (client: Client, indexes: SearchIndexes, ids: readonly string[]): Promise<Map<string, PlaceHit>> => {
  const found = new Map<string, PlaceHit>();
  if (ids.length === 0) return found;
  const response = await client.search({
    index: indexes.posts.alias,
    size: 0,
    query: { bool: { filter: [COUNTED, { terms: { locationId: [...ids] } }] } },
    aggs: {
      places: {
        terms: { field: 'locationId', include: [...ids], size: ids.length },
        aggs: {
          name: { terms: { field: 'locationName.raw', size: 1, order: { _key: 'asc' } } },
          point: { top_hits: { size: 1, _source: { includes: ['locationPoint'] } } },
        },
      },
    },
  });
  const buckets = (response.aggregations?.places as { buckets?: Bucket[] } | undefined)?.buckets ?? [];
  for (const bucket of buckets) {
    const name = bucket.name?.buckets?.[0]?.key;
    if (name === undefined || bucket.doc_count === 0) continue;
    const point = bucket.point?.hits?.hits?.[0]?._source?.locationPoint ?? null;
    found.set(bucket.key, { id: bucket.key, name, ...(point && { lat: point.lat, lon: point.lon }), postCount: bucket.doc_count });
  }
  return found;
};

export const searchPlacesElasticsearch = async (client: Client, indexes: SearchIndexes, query: PlaceQuery): Promise<PlaceHit[]> => {
  const text = normalizePlaceName(query.text);
  const limit = Math.min(MAX_PAGE_LIMIT, Math.max(0, Math.trunc(query.limit)));
  if (text === '' || limit === 0) return [];
  const { near } = query;
  const response = await client.search<Pick<PostDoc, 'locationId'>>({
    index: indexes.posts.alias,
    size: Math.max(PLACES_NAME_CANDIDATES, limit * 3),
    query: {
      bool: {
        filter: [
          COUNTED,
          { exists: { field: 'locationId' } },
          ...(near ? [{ geo_distance: { distance: `${near.radiusKm}km`, locationPoint: { lat: near.lat, lon: near.lon } } }] : []),
        ],
        must: [
          {
            bool: {
              should: [
                { match: { locationName: { query: text, fuzziness: 'AUTO', operator: 'and' as const } } },
                { match_bool_prefix: { locationName: { query: text } } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
      },
    },
    collapse: { field: 'locationId' },
    sort: near ? [{ _geo_distance: { locationPoint: { lat: near.lat, lon: near.lon }, order: 'asc', unit: 'km' } }] : [{ _score: { order: 'desc' } }],
    _source: { includes: ['locationId'] },
    track_total_hits: false,
  });
  const ids = response.hits.hits.flatMap((hit) => (hit._source?.locationId ? [hit._source.locationId] : []));
  const places = await countPlaces(client, indexes, ids);
  return rankPlaces([...places.values()], query, limit);
};

export const locationElasticsearch = async (client: Client, indexes: SearchIndexes, id: string): Promise<PlaceHit | null> =>
  (await countPlaces(client, indexes, [id])).get(id) ?? null;

export const postsByLocationElasticsearch = (
  client: Client,
  indexes: SearchIndexes,
  id: string,
  sort: 'recent' | 'top',
  request: PageRequest,
): Promise<Page<string>> => postsByFilterElasticsearch(client, indexes, { term: { locationId: id } }, sort, request);
