import type { Client, estypes } from '@elastic/elasticsearch';
import { isUuid } from '../../profiles/keyset.js';
import { AppError } from '../../../kernel/errors.js';
import { decodeCursor, pageLimit, toKeyedPage, type Page, type PageRequest } from '../../runtime/page.js';
import type { SearchIndexes } from './indexes.js';
import { normalizeQuery } from '../text-match.js';

// Posts by caption text and by hashtag in Elasticsearch. Only live posts (created, not deleted)
// of listed authors (not `hidden`) are ever returned. Pages are keyset cursors on the sort values (search_after), with the post id
// as the last tiebreaker:
// - text search: [score, id], best score first. Scores move when other posts are indexed (term
//   statistics), so a page boundary can shift while posts arrive; relevance has no stable key.
// - 'recent': [createdAt ms, id], newest first.
// - 'top': [engagement, createdAt ms, id]: likes + 2 x comments, then newest. Engagement moves
//   as likes arrive, so a post can shift between pages of 'top'.

const LIVE: estypes.QueryDslQueryContainer = { term: { live: true } };
/** Posts of an author in their deletion grace (docs.ts `hidden`): found by no query. */
export const HIDDEN: estypes.QueryDslQueryContainer = { term: { hidden: true } };
const MAX_QUERY_WORDS = 20;

/** The words of a query, as the PostgreSQL adapter splits them (letters, marks, digits and '_'). */
export const queryWords = (text: string): string[] => normalizeQuery(text).match(/[\p{L}\p{M}\p{N}_]+/gu)?.slice(0, MAX_QUERY_WORDS) ?? [];

/** Reads a cursor of the given shape whose last part is a post id. */
const afterOf = (request: PageRequest, shape: ('string' | 'number')[]): (string | number)[] | undefined => {
  if (request.cursor === undefined) return undefined;
  const key = decodeCursor(request.cursor, shape);
  if (!isUuid(String(key.at(-1)))) throw new AppError('INVALID_CURSOR');
  return key;
};

type SortValues = (string | number)[];

const searchPage = async (
  client: Client,
  index: string,
  query: estypes.QueryDslQueryContainer,
  sort: estypes.Sort,
  request: PageRequest,
  shape: ('string' | 'number')[],
): Promise<Page<string>> => {
  const limit = pageLimit(request);
  const after = afterOf(request, shape);
  const response = await client.search({
    index,
    size: limit + 1,
    query,
    sort,
    _source: false,
    track_total_hits: false,
    ...(after ? { search_after: after } : {}),
  });
  const hits = response.hits.hits.map((hit) => ({ id: hit._id!, sort: hit.sort as SortValues }));
  return toKeyedPage(hits, limit, (hit) => hit.sort, (hit) => hit.id);
};

export const searchPostsElasticsearch = async (client: Client, indexes: SearchIndexes, text: string, request: PageRequest): Promise<Page<string>> => {
  const words = queryWords(text);
  if (words.length === 0) {
    afterOf(request, ['number', 'string']); // a bad cursor is refused whatever the text
    return { items: [], nextCursor: null };
  }
  const phrase = words.join(' ');
  // Any word may match (as in the PostgreSQL adapter); more matching words and hashtags rank higher.
  const query: estypes.QueryDslQueryContainer = {
    bool: {
      filter: [LIVE],
      must_not: [HIDDEN],
      should: [
        { match: { caption: { query: phrase } } },
        { match: { 'caption.plain': { query: phrase } } },
        { terms: { hashtags: words, boost: 2 } },
      ],
      minimum_should_match: 1,
    },
  };
  return searchPage(client, indexes.posts.alias, query, [{ _score: { order: 'desc' } }, { id: 'desc' }], request, ['number', 'string']);
};

/** The live posts of listed authors matching `filter` (a hashtag, a location): 'recent' or 'top'. */
export const postsByFilterElasticsearch = (
  client: Client,
  indexes: SearchIndexes,
  filter: estypes.QueryDslQueryContainer,
  sort: 'recent' | 'top',
  request: PageRequest,
): Promise<Page<string>> => {
  const query: estypes.QueryDslQueryContainer = { bool: { filter: [LIVE, filter], must_not: [HIDDEN] } };
  const newest: estypes.Sort = [{ createdAt: 'desc' }, { id: 'desc' }];
  return sort === 'top'
    ? searchPage(client, indexes.posts.alias, query, [{ engagement: 'desc' }, ...newest], request, ['number', 'number', 'string'])
    : searchPage(client, indexes.posts.alias, query, newest, request, ['number', 'string']);
};

export const postsByHashtagElasticsearch = (
  client: Client,
  indexes: SearchIndexes,
  tag: string,
  sort: 'recent' | 'top',
  request: PageRequest,
): Promise<Page<string>> => postsByFilterElasticsearch(client, indexes, { term: { hashtags: normalizeQuery(tag) } }, sort, request);
