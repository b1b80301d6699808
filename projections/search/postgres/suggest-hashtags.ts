import type pg from 'pg';
import type { SearchTables } from './schema.js';
import type { HashtagCount } from '../search-store.js';
import { normalizeQuery, startsWithPattern, typoDistance } from '../text-match.js';

// Hashtags starting with the text, or within its typo allowance (text-match.ts), with at least
// one live post; most used first, ties alphabetical. Candidates come from the prefix index (the
// most used first) and the trigram-nearest tags; the counts are the hashtag counters, which the
// writes keep equal to the number of live posts carrying each tag.

const NEAREST = 50;
const MAX_LIMIT = 100;

const candidatesSql = (tables: SearchTables, trgm: string) => `
(select tag, posts from ${tables.hashtags} where posts > 0 and tag like $2 order by posts desc, tag limit $3)
union
(select tag, posts from ${tables.hashtags} where posts > 0 order by tag OPERATOR(${trgm}.<->) $1 limit $4)`;

export const suggestHashtagsPostgres = async (db: pg.Pool, tables: SearchTables, trgm: string, text: string, limit: number): Promise<HashtagCount[]> => {
  const query = normalizeQuery(text);
  const wanted = Math.min(MAX_LIMIT, Math.max(0, Math.trunc(limit)));
  if (query === '' || wanted === 0) return [];
  const { rows } = await db.query<{ tag: string; posts: number }>(candidatesSql(tables, trgm), [query, startsWithPattern(query), wanted, NEAREST]);
  return rows
    .filter((row) => row.tag.startsWith(query) || typoDistance(query, row.tag) !== null)
    .sort((a, b) => b.posts - a.posts || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
    .slice(0, wanted)
    .map((row) => ({ tag: row.tag, posts: row.posts }));
};
