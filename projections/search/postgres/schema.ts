import type pg from 'pg';
import { finishPostgresBuild, setUpPostgresSchema, type PostgresSchema } from '../../runtime/build-schema.js';
import type { Queryable } from '../../runtime/checkpoints-postgres.js';
import type { GenerationStorage } from '../../runtime/read-model.js';
import { ensureTrigramExtension, findTrigramSchema } from './trigram-extension.js';
import { prefixedTables } from '../../runtime/table-names.js';
import { COMMENT_WEIGHT } from '../explore-score.js';

// Tables of the search read model in PostgreSQL (unqualified: the connection's search_path picks
// the schema), under a table-name prefix (default 'search_') so that a rebuild can fill a new
// generation beside the live one. Usernames and tags use the "C" collation: byte order, so that
// their plain btree indexes serve both `like 'prefix%'` and the order of prefix matches.
//
// A row may exist before the event that creates its entity: a like counted on a post whose
// PostCreated has not arrived (another stream, maybe another instance) upserts the post with its
// count alone. Queries only serve posts with created_at set and deleted_at null, users with a
// username. `*_rev` columns hold the stream revision that last wrote a register; -1 = never.
export const searchTables = (prefix: string) =>
  prefixedTables(prefix, {
    users: 'users',
    posts: 'posts',
    /**
     * (tag, post) for every LIVE post carrying the tag, with the post's engagement and whether its
     * author is public now: 'recent' and 'top' pages (index order, no sort), and the counts.
     */
    postTags: 'post_tags',
    /** Live posts of PUBLIC authors per tag, moved by exactly the post_tags rows each batch inserts, deletes or flips. */
    hashtags: 'hashtags',
    likes: 'likes',
    comments: 'comments',
    /** (post, location) for every LIVE post of a LISTED author naming a place, with whether the author is public now. */
    postLocations: 'post_locations',
    /** Each location's normalized name and grid point, with its live posts of PUBLIC authors (moved as `hashtags` is). */
    locations: 'locations',
  });

export type SearchTables = ReturnType<typeof searchTables>;

/**
 * The post `post` (an alias or table name of the posts table) is by a listed author: one not in
 * their deletion grace (an author the users table does not know yet is, as every account starts).
 * Post tags of unlisted authors are not kept at all (write.ts syncTags).
 */
export const LISTED_AUTHOR = (tables: SearchTables, post: string) =>
  `not exists (select 1 from ${tables.users} author where author.id = ${post}.author_id and author.state <> 'active')`;

// Captions and hashtags are indexed with the 'simple' configuration: lowercased words, no
// stemming and no stop words, because captions come in every language and an English stemmer
// would mangle the others. Hashtags (already lowercased by the domain) are lexemes as they are,
// and weigh more (A) than caption words (B); the caption's own '#tag' words match as well.
const schema = (tables: SearchTables, trgm: string) => `
create table if not exists ${tables.users} (
  id uuid primary key,
  username text collate "C",
  display_name text not null default '',
  display_name_rev integer not null default -1,
  private boolean not null default false,
  private_rev integer not null default -1,
  state text not null default 'active',
  state_rev integer not null default -1
);
-- Added with account deletion (issue 14): the lifecycle register; only 'active' users and their
-- posts are found (write.ts, LISTED_AUTHOR).
alter table ${tables.users} add column if not exists state text not null default 'active';
alter table ${tables.users} add column if not exists state_rev integer not null default -1;
create index if not exists ${tables.users}_username on ${tables.users} (username);
create index if not exists ${tables.users}_username_trgm on ${tables.users} using gist (username ${trgm}.gist_trgm_ops);
create index if not exists ${tables.users}_name_trgm on ${tables.users} using gist (lower(display_name) ${trgm}.gist_trgm_ops);

create table if not exists ${tables.posts} (
  id uuid primary key,
  author_id uuid,
  caption text not null default '',
  hashtags text[] not null default '{}',
  caption_rev integer not null default -1,
  created_at timestamptz,
  created_day integer,
  deleted_at timestamptz,
  like_count integer not null default 0,
  comment_count integer not null default 0,
  document tsvector generated always as (
    setweight(array_to_tsvector(hashtags), 'A') ||
    setweight(to_tsvector('simple'::regconfig, caption), 'B')
  ) stored
);
-- Added after the first release: a deployment that has the table gets it here, filled once.
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = '${tables.posts}' and column_name = 'created_day') then
    alter table ${tables.posts} add column created_day integer;
    update ${tables.posts} set created_day = floor(extract(epoch from created_at) / 86400) where created_at is not null;
  end if;
end $$;
create index if not exists ${tables.posts}_document on ${tables.posts} using gin (document) where created_at is not null and deleted_at is null;
create index if not exists ${tables.posts}_recent on ${tables.posts} (created_at desc, id desc) where created_at is not null and deleted_at is null;
create index if not exists ${tables.posts}_by_author on ${tables.posts} (author_id);
create index if not exists ${tables.posts}_engaged_by_day on ${tables.posts} (created_day, (like_count + ${COMMENT_WEIGHT} * comment_count) desc, id desc)
  where created_at is not null and deleted_at is null;

create table if not exists ${tables.postTags} (
  tag text collate "C" not null,
  post_id uuid not null,
  created_at timestamptz not null,
  engagement integer not null default 0,
  public boolean not null default true,
  primary key (tag, post_id)
);
create index if not exists ${tables.postTags}_recent on ${tables.postTags} (tag, created_at desc, post_id desc);
create index if not exists ${tables.postTags}_by_post on ${tables.postTags} (post_id);

create table if not exists ${tables.hashtags} (
  tag text collate "C" primary key,
  posts integer not null default 0
);
create index if not exists ${tables.hashtags}_trgm on ${tables.hashtags} using gist (tag ${trgm}.gist_trgm_ops) where posts > 0;

-- Added after the first release: a deployment that has post_tags gets the engagement 'top' reads
-- and the public flag the counts take, filled once from the posts and users it holds.
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = '${tables.postTags}' and column_name = 'public') then
    alter table ${tables.postTags} add column engagement integer not null default 0;
    alter table ${tables.postTags} add column public boolean not null default true;
    update ${tables.postTags} pt set engagement = p.like_count + ${COMMENT_WEIGHT} * p.comment_count, public = not coalesce(u.private, false)
    from ${tables.posts} p left join ${tables.users} u on u.id = p.author_id
    where p.id = pt.post_id;
    update ${tables.hashtags} h set posts = (select count(*) from ${tables.postTags} pt where pt.tag = h.tag and pt.public);
  end if;
end $$;
create index if not exists ${tables.postTags}_top on ${tables.postTags} (tag, engagement desc, created_at desc, post_id desc);

-- Added with locations (issue 17): the place a post names, set once by PostCreated. A deployment
-- made before it gets the columns here; posts made before it name no place.
alter table ${tables.posts} add column if not exists location_id uuid;
alter table ${tables.posts} add column if not exists location_name text;
alter table ${tables.posts} add column if not exists location_key text;
alter table ${tables.posts} add column if not exists location_lat float8;
alter table ${tables.posts} add column if not exists location_lon float8;
create index if not exists ${tables.posts}_location_recent on ${tables.posts} (location_id, created_at desc, id desc)
  where location_id is not null and created_at is not null and deleted_at is null;
create index if not exists ${tables.posts}_location_top on ${tables.posts} (location_id, (like_count + ${COMMENT_WEIGHT} * comment_count) desc, created_at desc, id desc)
  where location_id is not null and created_at is not null and deleted_at is null;

create table if not exists ${tables.postLocations} (
  post_id uuid primary key,
  location_id uuid not null,
  name text collate "C" not null,
  public boolean not null
);
create index if not exists ${tables.postLocations}_names on ${tables.postLocations} (location_id, name) where public;

create table if not exists ${tables.locations} (
  id uuid primary key,
  key text collate "C" not null default '',
  lat float8,
  lon float8,
  posts integer not null default 0
);
create index if not exists ${tables.locations}_trgm on ${tables.locations} using gist (key ${trgm}.gist_trgm_ops) where posts > 0;
create index if not exists ${tables.locations}_key on ${tables.locations} (key) where posts > 0;
create index if not exists ${tables.locations}_point on ${tables.locations} using gist (point(lon, lat)) where posts > 0 and lat is not null;

create table if not exists ${tables.likes} (
  post_id uuid not null,
  user_id uuid not null,
  active boolean not null,
  rev integer not null,
  primary key (post_id, user_id)
);

create table if not exists ${tables.comments} (
  id uuid primary key,
  post_id uuid,
  created boolean not null default false,
  deleted boolean not null default false
);
`;

/**
 * The tables as build-schema.ts shapes them. A building generation's batches only write rows by
 * their keys (write.ts, `deriving` false): the secondary indexes the live writer reads through
 * (posts by author, tag rows by post) wait for the end with the full-text, trigram and page-order ones.
 */
const searchSchema = (tables: SearchTables, trgm: string): PostgresSchema => ({
  lock: 'projection-search-schema',
  ddl: schema(tables, trgm),
  tables: Object.values(tables),
});

export const setupSearchSchema = async (pool: pg.Pool, tables: SearchTables, mode: GenerationStorage['mode'] = 'live'): Promise<void> => {
  // Outside the transaction: a lost creation race must not abort the table creation with it.
  const trgm = await ensureTrigramExtension(pool);
  await setUpPostgresSchema(pool, searchSchema(tables, trgm), mode);
};

/** A generation set up in mode 'build' to its serving shape (build-schema.ts finishPostgresBuild). */
export const finishSearchBuild = async (db: Queryable, tables: SearchTables): Promise<void> => {
  const trgm = await findTrigramSchema(db);
  if (trgm === null) throw new Error('pg_trgm is not installed: run the search projection setup first');
  await finishPostgresBuild(db, searchSchema(tables, trgm));
};
