import type pg from 'pg';
import { toKeyedPage, type Page, type PageRequest } from '../../runtime/page.js';
import { EXPLORE_WINDOW_DAYS, explorePage, exploreScoreSql } from '../explore-score.js';
import type { SearchTables } from './schema.js';

// Explore in PostgreSQL: the live posts of the window, scored at query time by the formula of
// explore-score.ts (the score depends on `now`, so it cannot be stored), best first, ties by id.
//
// Keyset cursor [now, score, id]: later pages are scored at the FIRST page's instant, so the
// ranking they continue is the one the first page was cut from. Likes arriving between pages
// can still move a post across the cut; nothing is shown twice within one score.

const CREATED_MS = '(extract(epoch from created_at) * 1000)::float8';

export const explorePostgres = async (
  db: pg.Pool,
  tables: SearchTables,
  now: Date,
  request: PageRequest,
  windowDays: number = EXPLORE_WINDOW_DAYS,
): Promise<Page<string>> => {
  const { limit, after, nowMs, sinceMs } = explorePage(request, now, windowDays);
  const { rows } = await db.query<{ id: string; score: number }>(
    `select id::text as id, score from (
       select id, ${exploreScoreSql('like_count', 'comment_count', CREATED_MS, '$1::float8')} as score
       from ${tables.posts}
       where created_at > $2::timestamptz and created_at is not null and deleted_at is null
     ) s
     where $3::float8 is null or (score, id) < ($3::float8, $4::uuid)
     order by score desc, id desc
     limit $5`,
    [nowMs, new Date(sinceMs).toISOString(), after?.score ?? null, after?.id ?? null, limit + 1],
  );
  return toKeyedPage(rows, limit, (row) => [nowMs, row.score, row.id], (row) => row.id);
};
