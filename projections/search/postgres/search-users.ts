import type pg from 'pg';
import { isUuid } from '../../profiles/keyset.js';
import { MAX_PAGE_LIMIT } from '../../runtime/page.js';
import type { SearchTables } from './schema.js';
import type { UserHit, UserQuery } from '../search-store.js';
import { normalizeQuery, startsWithPattern } from '../text-match.js';
import { rankUsers } from '../user-ranking.js';

// Users by username and name, in ONE query that gathers candidates, and user-ranking.ts deciding
// which match and in what order. Candidates: the exact username; for autocomplete, usernames and
// names starting with the text (the username btree in "C" collation, a trigram index for words in the
// name); the usernames and names nearest by trigram distance (GiST k-nearest-neighbour scans,
// no similarity threshold, so short words with a typo still come up); and the caller's followed
// accounts nearest to the text, so that a big crowd of strangers cannot push them out.
//
// The trigram-nearest lists are capped (CANDIDATES or a few times the limit): a typo'd word whose
// true match is not among the nearest few dozen strings by trigram distance is missed. That is
// the price of using an index; an exact scan with the edit distance would read every user.

const CANDIDATES = 50;

const candidatesSql = (tables: SearchTables, trgm: string) => {
  const distance = `OPERATOR(${trgm}.<->)`;
  const wordDistance = `OPERATOR(${trgm}.<->>)`;
  const columns = 'id::text as id, username, display_name';
  // Listed users only: registered, not in their deletion grace, not erased (whose username is gone).
  const named = "username is not null and state = 'active'";
  return `
(select ${columns} from ${tables.users} where username = $1 and ${named})
union
(select ${columns} from ${tables.users} where ${named} order by username ${distance} $1 limit $2)
union
(select ${columns} from ${tables.users} where ${named} order by lower(display_name) ${wordDistance} $1 limit $2)
union
(select ${columns} from ${tables.users} where $5 and username like $3 and ${named} order by username limit $2)
union
(select ${columns} from ${tables.users} where $5 and ${named} and (lower(display_name) like $3 or lower(display_name) like '% ' || $3) limit $2)
union
(select ${columns} from ${tables.users} where id = any($4::uuid[]) and ${named}
  order by (username like $3) desc, least(username ${distance} $1, lower(display_name) ${wordDistance} $1) limit $2)`;
};

export const searchUsersPostgres = async (db: pg.Pool, tables: SearchTables, trgm: string, query: UserQuery): Promise<UserHit[]> => {
  const text = normalizeQuery(query.text);
  const limit = Math.min(MAX_PAGE_LIMIT, Math.max(0, Math.trunc(query.limit)));
  if (text === '' || limit === 0) return [];
  const followingIds = query.followingIds.filter(isUuid);
  const { rows } = await db.query<{ id: string; username: string; display_name: string }>(candidatesSql(tables, trgm), [
    text,
    Math.max(CANDIDATES, limit * 3),
    startsWithPattern(text),
    followingIds,
    query.prefix,
  ]);
  const candidates = rows.map((row) => ({ id: row.id, username: row.username, displayName: row.display_name }));
  return rankUsers(candidates, { text, prefix: query.prefix, followingIds: new Set(followingIds.map((id) => id.toLowerCase())) }, limit);
};
