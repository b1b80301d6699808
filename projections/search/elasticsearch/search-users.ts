import type { Client, estypes } from '@elastic/elasticsearch';
import type { UserDoc } from './docs.js';
import type { SearchIndexes } from './indexes.js';
import type { UserHit, UserQuery } from '../search-store.js';
import { normalizeQuery } from '../text-match.js';
import { rankUsers } from '../user-ranking.js';

// Users by username and name in Elasticsearch. Elasticsearch proposes the candidates (the exact
// username, edge n-gram prefixes for autocomplete, fuzzy matches with `fuzziness: AUTO`, i.e.
// one edit in words of 3 to 5 characters and two from 6), boosted so that the exact username and
// followed accounts are never crowded out of the candidate list by strangers; user-ranking.ts
// then decides the final order, the same rule as the PostgreSQL adapter: exact username first,
// then followed accounts, then relevance.

const CANDIDATES = 50;

const matching = (text: string, prefix: boolean): estypes.QueryDslQueryContainer[] => [
  { term: { username: { value: text, boost: 20 } } },
  { fuzzy: { username: { value: text, fuzziness: 'AUTO', boost: 2 } } },
  { match: { displayName: { query: text, fuzziness: 'AUTO', boost: 1 } } },
  // Prefix candidates in both modes: a full search for "sarah" must still propose "sarahs.kitchen",
  // whose name word "sarahs" is one edit away (user-ranking.ts decides whether it matches).
  { match: { 'username.autocomplete': { query: text, boost: prefix ? 5 : 1 } } },
  { match: { 'displayName.autocomplete': { query: text, operator: 'and' as const, boost: prefix ? 3 : 1 } } },
];

export const searchUsersElasticsearch = async (client: Client, indexes: SearchIndexes, query: UserQuery): Promise<UserHit[]> => {
  const text = normalizeQuery(query.text);
  const limit = Math.max(0, Math.trunc(query.limit));
  if (text === '' || limit === 0) return [];
  const followingIds = [...query.followingIds];
  const response = await client.search<UserDoc>({
    index: indexes.users.alias,
    size: Math.max(CANDIDATES, limit * 3),
    query: {
      bool: {
        filter: [{ exists: { field: 'username' } }],
        // Listed users only (docs.ts `state`; documents without one are active).
        must_not: [{ terms: { state: ['deleting', 'erased'] } }],
        must: [{ bool: { should: matching(text, query.prefix), minimum_should_match: 1 } }],
        // Lifts followed accounts among the matches (it does not add non-matching ones: `must` holds).
        should: followingIds.length > 0 ? [{ ids: { values: followingIds, boost: 50 } } as estypes.QueryDslQueryContainer] : [],
      },
    },
  });
  const candidates = response.hits.hits.flatMap((hit) =>
    hit._source?.username ? [{ id: hit._source.id, username: hit._source.username, displayName: hit._source.displayName }] : [],
  );
  return rankUsers(candidates, { text, prefix: query.prefix, followingIds: new Set(followingIds.map((id) => id.toLowerCase())) }, limit);
};
