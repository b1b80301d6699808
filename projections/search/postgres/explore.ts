import type pg from 'pg';
import { toKeyedPage, type Page, type PageRequest } from '../../runtime/page.js';
import { COMMENT_WEIGHT, EXPLORE_WINDOW_DAYS, explorePage, exploreScoreSql } from '../explore-score.js';
import { EXPLORE_CANDIDATES_PER_LIST, exploreDay } from '../query-bounds.js';
import { LISTED_AUTHOR, type SearchTables } from './schema.js';

// Explore in PostgreSQL: live posts of listed authors in the window, scored at query time by the formula of
// explore-score.ts (the score depends on `now`, so it cannot be stored), best first, ties by id.
// Only a bounded candidate set is scored (query-bounds.ts, EXPLORE_CANDIDATES_PER_LIST): the
// newest posts of the window, and the most engaged posts of each UTC day the window touches
// (one index range per day: posts_engaged_by_day). A post in neither list is older than every
// newest candidate and less engaged than its day's candidates, so it would rank below them.
//
// Keyset cursor [now, score, id]: later pages are scored at the FIRST page's instant, so the
// ranking they continue is the one the first page was cut from. Likes arriving between pages
// can still move a post across the cut; nothing is shown twice within one score.

const CREATED_MS = '(extract(epoch from created_at) * 1000)::float8';
const ENGAGEMENT = `(like_count + ${COMMENT_WEIGHT} * comment_count)`;
const LIVE = 'created_at is not null and deleted_at is null';

const exploreSql = (tables: SearchTables) => `
with candidates as (
  (select id, like_count, comment_count, created_at from ${tables.posts}
   where ${LIVE} and ${LISTED_AUTHOR(tables, tables.posts)} and created_at > $2::timestamptz
   order by created_at desc, id desc
   limit $6)
  union
  (select c.id, c.like_count, c.comment_count, c.created_at
   from generate_series($7::int, $8::int) as day
   cross join lateral (
     select id, like_count, comment_count, created_at from ${tables.posts}
     where created_day = day and ${LIVE} and ${LISTED_AUTHOR(tables, tables.posts)}
     order by ${ENGAGEMENT} desc, id desc
     limit $6
   ) c)
)
select id::text as id, score from (
  select id, ${exploreScoreSql('like_count', 'comment_count', CREATED_MS, '$1::float8')} as score
  from candidates where created_at > $2::timestamptz
) s
where $3::float8 is null or (score, id) < ($3::float8, $4::uuid)
order by score desc, id desc
limit $5`;

export const explorePostgres = async (
  db: pg.Pool,
  tables: SearchTables,
  now: Date,
  request: PageRequest,
  windowDays: number = EXPLORE_WINDOW_DAYS,
): Promise<Page<string>> => {
  const { limit, after, nowMs, sinceMs } = explorePage(request, now, windowDays);
  const { rows } = await db.query<{ id: string; score: number }>(exploreSql(tables), [
    nowMs,
    new Date(sinceMs).toISOString(),
    after?.score ?? null,
    after?.id ?? null,
    limit + 1,
    EXPLORE_CANDIDATES_PER_LIST,
    exploreDay(sinceMs),
    // Posts stamped slightly after `now` (clocks of different writers) are in the window too.
    exploreDay(nowMs) + 1,
  ]);
  return toKeyedPage(rows, limit, (row) => [nowMs, row.score, row.id], (row) => row.id);
};
