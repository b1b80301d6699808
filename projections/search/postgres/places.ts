import type pg from 'pg';
import { isUuid } from '../../profiles/keyset.js';
import { MAX_PAGE_LIMIT, type Page, type PageRequest } from '../../runtime/page.js';
import { normalizePlaceName } from '../../../kernel/places.js';
import { rankPlaces } from '../place-ranking.js';
import { PLACES_NEAREST_CANDIDATES, PLACES_NAME_CANDIDATES } from '../query-bounds.js';
import type { PlaceHit, PlaceQuery } from '../search-store.js';
import { startsWithPattern } from '../text-match.js';
import { locationPageQueries } from './search-posts.js';
import type { SearchTables } from './schema.js';

// Places in PostgreSQL (no PostGIS): candidates from the locations counted now (posts > 0: a live
// post of a public, listed author carries them), by name (the trigram-nearest keys and the keys
// starting with the text, in key order: an index range, not a sort of every match) and, with a point, the nearest by a GiST k-nearest-neighbour scan on
// (lon, lat) as a plane; place-ranking.ts then applies the exact rule (words, typos, the
// great-circle radius). Both lists are bounded (query-bounds.ts), so a request reads at most
// PLACES_NAME_CANDIDATES x 2 + PLACES_NEAREST_CANDIDATES rows.

interface LocationRow {
  id: string;
  lat: number | null;
  lon: number | null;
  posts: number;
  name: string | null;
}

// The name shown: the least (byte order) name among the public posts carrying the location.
const NAMED = (tables: SearchTables, l: string) =>
  `(select pl.name from ${tables.postLocations} pl where pl.location_id = ${l}.id and pl.public order by pl.name limit 1)`;

const hitOf = (row: LocationRow): PlaceHit[] =>
  row.name === null
    ? []
    : [{ id: row.id, name: row.name, ...(row.lat !== null && row.lon !== null && { lat: row.lat, lon: row.lon }), postCount: row.posts }];

const candidatesSql = (tables: SearchTables, trgm: string) => {
  const columns = `l.id::text as id, l.lat, l.lon, l.posts, ${NAMED(tables, 'l')} as name`;
  return `
(select ${columns} from ${tables.locations} l where l.posts > 0 order by l.key OPERATOR(${trgm}.<->>) $1 limit $2)
union
(select ${columns} from ${tables.locations} l where l.posts > 0 and l.key like $3 order by l.key limit $2)
union
(select ${columns} from ${tables.locations} l where $4::float8 is not null and l.posts > 0 and l.lat is not null
  order by point(l.lon, l.lat) <-> point($5::float8, $4::float8) limit $6)`;
};

export const searchPlacesPostgres = async (db: pg.Pool, tables: SearchTables, trgm: string, query: PlaceQuery): Promise<PlaceHit[]> => {
  const text = normalizePlaceName(query.text);
  const limit = Math.min(MAX_PAGE_LIMIT, Math.max(0, Math.trunc(query.limit)));
  if (text === '' || limit === 0) return [];
  const { rows } = await db.query<LocationRow>(candidatesSql(tables, trgm), [
    text,
    PLACES_NAME_CANDIDATES,
    startsWithPattern(text),
    query.near?.lat ?? null,
    query.near?.lon ?? null,
    PLACES_NEAREST_CANDIDATES,
  ]);
  return rankPlaces(rows.flatMap(hitOf), query, limit);
};

export const locationPostgres = async (db: pg.Pool, tables: SearchTables, id: string): Promise<PlaceHit | null> => {
  if (!isUuid(id)) return null;
  const { rows } = await db.query<LocationRow>(
    `select l.id::text as id, l.lat, l.lon, l.posts, ${NAMED(tables, 'l')} as name from ${tables.locations} l where l.id = $1 and l.posts > 0`,
    [id],
  );
  return rows.flatMap(hitOf)[0] ?? null;
};

export const postsByLocationPostgres = (db: pg.Pool, tables: SearchTables, id: string, sort: 'recent' | 'top', request: PageRequest): Promise<Page<string>> =>
  locationPageQueries[sort](db, tables, id, request);
