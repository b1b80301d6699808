import type pg from 'pg';
import { cursorKey, isIsoInstant, isUuid, keysetOf } from '../../profiles/keyset.js';
import { AppError } from '../../../kernel/errors.js';
import { decodeCursor, pageLimit, toKeyedPage, type Page, type PageRequest } from '../../runtime/page.js';
import { SEARCH_RANKED_CANDIDATES } from '../query-bounds.js';
import { LISTED_AUTHOR, type SearchTables } from './schema.js';
import { normalizeQuery } from '../text-match.js';
import { COMMENT_WEIGHT } from '../explore-score.js';

// Posts by caption text and by hashtag. Only live posts of listed authors are ever returned:
// post_tags holds those only, and the caption index covers created and undeleted posts only (the
// author's listing is checked per candidate: LISTED_AUTHOR).
//
// Cursors (keyset, stable while new posts arrive):
// - text search: [rank, id], best rank first, over the SEARCH_RANKED_CANDIDATES newest matches
//   (query-bounds.ts). A caption edit may move a post's rank between two pages, and new matching
//   posts push the oldest candidates out of the ranked set.
// - 'recent': [createdAt, id], newest first.
// - 'top': [engagement, createdAt, id]: likes + 2 x comments, then newest, an index range of
//   post_tags (which keeps each post's engagement: write.ts), never a sort. Engagement moves as
//   likes arrive, so a post can shift between pages of 'top'.

const LIVE = 'created_at is not null and deleted_at is null';
const MAX_QUERY_WORDS = 20;

/**
 * The text as an OR of its words, for to_tsquery('simple', ...): any word matching finds a post,
 * more matching words rank higher. Words hold letters, marks, digits and '_' only, so quoting
 * each one needs no escaping.
 */
export const anyWordQuery = (text: string): string | null => {
  const words = normalizeQuery(text).match(/[\p{L}\p{M}\p{N}_]+/gu)?.slice(0, MAX_QUERY_WORDS) ?? [];
  return words.length > 0 ? words.map((word) => `'${word}'`).join(' | ') : null;
};

const textCursor = (request: PageRequest) => {
  if (request.cursor === undefined) return { rank: null, id: null };
  const [rank, id] = decodeCursor(request.cursor, ['number', 'string']) as [number, string];
  if (!isUuid(id)) throw new AppError('INVALID_CURSOR');
  return { rank, id };
};

export const searchPostsPostgres = async (db: pg.Pool, tables: SearchTables, text: string, request: PageRequest): Promise<Page<string>> => {
  const limit = pageLimit(request);
  const after = textCursor(request);
  const tsquery = anyWordQuery(text);
  if (tsquery === null) return { items: [], nextCursor: null };
  // The candidates are picked in index order (the GIN index for rare words, the newest-first one for
  // common words, as the planner sees fit), and only they are ranked.
  const { rows } = await db.query<{ id: string; rank: number }>(
    `select id::text as id, rank from (
       select id, ts_rank(document, to_tsquery('simple', $1))::float8 as rank from (
         select id, document from ${tables.posts}
         where document @@ to_tsquery('simple', $1) and ${LIVE} and ${LISTED_AUTHOR(tables, tables.posts)}
         order by created_at desc, id desc
         limit $5
       ) candidates
     ) s
     where $2::float8 is null or (rank, id) < ($2::float8, $3::uuid)
     order by rank desc, id desc
     limit $4`,
    [tsquery, after.rank, after.id, limit + 1, SEARCH_RANKED_CANDIDATES],
  );
  return toKeyedPage(rows, limit, (row) => [row.rank, row.id], (row) => row.id);
};

const normalizeTag = (tag: string) => normalizeQuery(tag);

const recent = async (db: pg.Pool, tables: SearchTables, tag: string, request: PageRequest): Promise<Page<string>> => {
  const keyset = keysetOf(request);
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `select post_id::text as id, created_at from ${tables.postTags}
     where tag = $1 and ($2::timestamptz is null or (created_at, post_id) < ($2::timestamptz, $3::uuid))
     order by created_at desc, post_id desc
     limit $4`,
    [tag, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toKeyedPage(rows, keyset.limit, cursorKey((r) => r.created_at, (r) => r.id), (row) => row.id);
};

const topCursor = (request: PageRequest) => {
  if (request.cursor === undefined) return { engagement: null, time: null, id: null };
  const [engagement, time, id] = decodeCursor(request.cursor, ['number', 'string', 'string']) as [number, string, string];
  if (!Number.isSafeInteger(engagement) || engagement < 0 || engagement > 2 ** 31 - 1 || !isIsoInstant(time) || !isUuid(id)) {
    throw new AppError('INVALID_CURSOR');
  }
  return { engagement, time, id };
};

const top = async (db: pg.Pool, tables: SearchTables, tag: string, request: PageRequest): Promise<Page<string>> => {
  const limit = pageLimit(request);
  const after = topCursor(request);
  const { rows } = await db.query<{ id: string; created_at: Date; engagement: number }>(
    `select post_id::text as id, created_at, engagement from ${tables.postTags}
     where tag = $1 and ($2::int is null or (engagement, created_at, post_id) < ($2::int, $3::timestamptz, $4::uuid))
     order by engagement desc, created_at desc, post_id desc
     limit $5`,
    [tag, after.engagement, after.time, after.id, limit + 1],
  );
  return toKeyedPage(rows, limit, (row) => [row.engagement, row.created_at.toISOString(), row.id], (row) => row.id);
};

export const postsByHashtagPostgres = (
  db: pg.Pool,
  tables: SearchTables,
  tag: string,
  sort: 'recent' | 'top',
  request: PageRequest,
): Promise<Page<string>> => (sort === 'top' ? top : recent)(db, tables, normalizeTag(tag), request);

// Location pages read the posts table itself (one place per post, set once: its location index
// ranges), with the hashtag pages' cursors: 'recent' [createdAt, id], 'top' [engagement,
// createdAt, id] in the order of the index's expression (likes + 2 x comments, schema.ts). Listed authors only (LISTED_AUTHOR per row).
const engagementSql = `(like_count + ${COMMENT_WEIGHT} * comment_count)`;
// The order names the table's id, not the output's `id::text` (ORDER BY prefers output names): a
// text order is no index order, and would be a sort of the location's posts.

const locationRecent = async (db: pg.Pool, tables: SearchTables, id: string, request: PageRequest): Promise<Page<string>> => {
  const keyset = keysetOf(request);
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `select id::text as id, created_at from ${tables.posts}
     where location_id = $1 and ${LIVE} and ${LISTED_AUTHOR(tables, tables.posts)}
       and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
     order by created_at desc, ${tables.posts}.id desc
     limit $4`,
    [id, keyset.afterTime, keyset.afterId, keyset.limit + 1],
  );
  return toKeyedPage(rows, keyset.limit, cursorKey((r) => r.created_at, (r) => r.id), (row) => row.id);
};

const locationTop = async (db: pg.Pool, tables: SearchTables, id: string, request: PageRequest): Promise<Page<string>> => {
  const limit = pageLimit(request);
  const after = topCursor(request);
  const { rows } = await db.query<{ id: string; created_at: Date; engagement: number }>(
    `select id::text as id, created_at, ${engagementSql} as engagement from ${tables.posts}
     where location_id = $1 and ${LIVE} and ${LISTED_AUTHOR(tables, tables.posts)}
       and ($2::int is null or (${engagementSql}, created_at, id) < ($2::int, $3::timestamptz, $4::uuid))
     order by ${engagementSql} desc, created_at desc, ${tables.posts}.id desc
     limit $5`,
    [id, after.engagement, after.time, after.id, limit + 1],
  );
  return toKeyedPage(rows, limit, (row) => [row.engagement, row.created_at.toISOString(), row.id], (row) => row.id);
};

export const locationPageQueries = { recent: locationRecent, top: locationTop };
