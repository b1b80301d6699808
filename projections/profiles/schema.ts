import type { PostgresSchema } from '../runtime/build-schema.js';

// The profiles read model's tables (unqualified: the connection's search_path picks the schema).
//
// A row may exist before the event that creates its entity: a like counted on a post whose
// PostCreated has not been applied yet (another stream, maybe another instance) upserts the post
// with its count alone, and PostCreated fills in the rest. Readers only serve rows whose creation
// has arrived (username / created_at not null).
//
// `*_rev` columns hold the stream revision that last wrote a register (see runtime/batch-changes.ts);
// -1 means never written. Times are kept to the millisecond, the write side's precision, so
// that keyset cursors carry them exactly.
const TABLES = `
create table if not exists users (
  id uuid primary key,
  username text,
  registered_at timestamptz,
  display_name text,
  display_name_rev integer not null default -1,
  bio text not null default '',
  bio_rev integer not null default -1,
  private boolean not null default false,
  private_rev integer not null default -1,
  avatar jsonb,
  avatar_rev integer not null default -1,
  state text not null default 'active',
  state_rev integer not null default -1,
  follower_count integer not null default 0,
  following_count integer not null default 0,
  post_count integer not null default 0
);
create index if not exists users_by_username on users (username);
-- The most followed public accounts, for suggestions to a viewer whose follows give too few
-- (reader-suggestions.ts): read in this order, never sorted.
create index if not exists users_popular on users (follower_count desc, id) where username is not null and state = 'active' and not private;
-- Added with media (issue 12): tables made before it get the columns here.
alter table users add column if not exists avatar jsonb;
alter table users add column if not exists avatar_rev integer not null default -1;
-- Added with account deletion (issue 14): the lifecycle register ('active' | 'deleting' |
-- 'erased'); only an active account is listed to others (access-sql.ts LISTED).
alter table users add column if not exists state text not null default 'active';
alter table users add column if not exists state_rev integer not null default -1;
-- Added with verified accounts (issue 17): an operator's flag, ranking the account higher in user search.
alter table users add column if not exists verified boolean not null default false;
alter table users add column if not exists verified_rev integer not null default -1;

-- One row per (follower, followee): a pending request and a follow are states of one register.
create table if not exists follows (
  follower_id uuid not null,
  followee_id uuid not null,
  status text not null check (status in ('none', 'requested', 'following')),
  rev integer not null,
  requested_at timestamptz,
  followed_at timestamptz,
  primary key (follower_id, followee_id)
);
create index if not exists follows_followers on follows (followee_id, followed_at desc, follower_id desc) where status = 'following';
create index if not exists follows_following on follows (follower_id, followed_at desc, followee_id desc) where status = 'following';
create index if not exists follows_requests on follows (followee_id, requested_at desc, follower_id desc) where status = 'requested';
-- The following cap (kernel/limits.ts FOLLOWING_MAX) counts a follower's follows and requests.
create index if not exists follows_outgoing on follows (follower_id) where status <> 'none';

create table if not exists blocks (
  blocker_id uuid not null,
  blocked_id uuid not null,
  active boolean not null,
  rev integer not null,
  blocked_at timestamptz,
  primary key (blocker_id, blocked_id)
);

-- Added with mutes (issue 17): one row per (muter, muted), written whole by the pair's stream;
-- 'active' says whether the mute stands (a row is never deleted, so that an older batch applied
-- again cannot bring back a mute its revision guard no longer sees). Readers ask 'where active'.
create table if not exists mutes (
  muter_id uuid not null,
  muted_id uuid not null,
  active boolean not null,
  rev integer not null,
  muted_at timestamptz,
  primary key (muter_id, muted_id)
);
-- The erasure worker ends the mutes of an erased account either way (workers/erasure/inventory-postgres.ts).
create index if not exists mutes_of_muted on mutes (muted_id, muter_id) where active;

create table if not exists posts (
  id uuid primary key,
  author_id uuid,
  caption text,
  hashtags text[],
  mentions text[],
  caption_rev integer not null default -1,
  media jsonb,
  created_at timestamptz,
  deleted_at timestamptz,
  like_count integer not null default 0,
  comment_count integer not null default 0,
  share_count integer not null default 0
);
-- Added with locations (issue 17): the place a post names, { id, name } (null for none).
alter table posts add column if not exists location jsonb;
-- Added with shares (issue 17): tables made before it get the column here.
alter table posts add column if not exists share_count integer not null default 0;
create index if not exists posts_by_author on posts (author_id, created_at desc, id desc) where created_at is not null and deleted_at is null;

create table if not exists comments (
  id uuid primary key,
  post_id uuid,
  author_id uuid,
  parent_id uuid,
  text text,
  mentions text[],
  created_at timestamptz,
  deleted_at timestamptz,
  reply_count integer not null default 0
);
create index if not exists comments_top_level on comments (post_id, created_at, id) where parent_id is null and created_at is not null and deleted_at is null;
create index if not exists comments_replies on comments (parent_id, created_at, id) where created_at is not null and deleted_at is null;
create index if not exists comments_by_author on comments (author_id, id) where deleted_at is null;

create table if not exists likes (
  post_id uuid not null,
  user_id uuid not null,
  active boolean not null,
  rev integer not null,
  liked_at timestamptz,
  primary key (post_id, user_id)
);
create index if not exists likes_by_post on likes (post_id, liked_at desc, user_id desc) where active;
-- The erasure worker pages through one person's likes and comments (workers/erasure/inventory-postgres.ts).
create index if not exists likes_by_user on likes (user_id, post_id) where active;

create table if not exists bookmarks (
  user_id uuid not null,
  post_id uuid not null,
  active boolean not null,
  rev integer not null,
  bookmarked_at timestamptz,
  primary key (user_id, post_id)
);
create index if not exists bookmarks_by_user on bookmarks (user_id, bookmarked_at desc, post_id desc) where active;

-- Collections of saved posts (added with issue 17): private to their owner. A collection lists only
-- its posts that are still bookmarked (reader-collections.ts), so an unbookmark writes no row here.
create table if not exists collections (
  id uuid primary key,
  owner_id uuid,
  name text,
  name_rev integer not null default -1,
  created_at timestamptz,
  deleted_at timestamptz
);
create index if not exists collections_by_owner on collections (owner_id, created_at desc, id desc) where created_at is not null and deleted_at is null;

create table if not exists collection_posts (
  collection_id uuid not null,
  post_id uuid not null,
  owner_id uuid not null,
  active boolean not null,
  rev integer not null,
  added_at timestamptz,
  primary key (collection_id, post_id)
);
create index if not exists collection_posts_newest on collection_posts (collection_id, added_at desc, post_id desc) where active;

-- The ranked home feed's affinity (affinity.ts): one row per interaction, keyed by its stream.
-- The read takes one viewer's rows for a page's authors; an erasure deletes by either side.
create table if not exists affinity_sources (
  source_id text primary key,
  viewer_id uuid not null,
  author_id uuid not null,
  weight real not null,
  at timestamptz not null,
  active boolean not null,
  rev integer not null
);
create index if not exists affinity_by_viewer on affinity_sources (viewer_id, author_id, at);
create index if not exists affinity_by_author on affinity_sources (author_id);

-- User tags (issue 17): one row per (post, tagged person), written whole by the post's stream
-- (PostCreated sets it, TagRemoved ends it: 'active'), with where on which items ('positions':
-- [{ item, order, x, y }]). Never deleted, as mutes are not. Readers ask 'where active', a live
-- post, and a listed tagged user: a deleted post, an erased or deleting account, leave no tag shown.
create table if not exists post_tags (
  post_id uuid not null,
  user_id uuid not null,
  author_id uuid not null,
  positions jsonb,
  active boolean not null,
  rev integer not null,
  tagged_at timestamptz,
  primary key (post_id, user_id)
);
-- GET /users/{username}/tagged: one person's tags, newest first.
create index if not exists post_tags_by_user on post_tags (user_id, tagged_at desc, post_id desc) where active;
-- The erasure worker pages through one person's tags (workers/erasure/inventory-postgres.ts).
create index if not exists post_tags_of_user on post_tags (user_id, post_id) where active;

-- One row per share of a post to a story (written once, by the story's stream): what makes a
-- share count once however often its batch is applied (runtime/count-deltas.ts).
create table if not exists shares (
  story_id uuid primary key,
  post_id uuid not null,
  sharer_id uuid not null,
  shared_at timestamptz not null
);
`;

/** Every table of the profiles read model (the replay CLI dumps and drops them). */
export const PROFILES_TABLES = ['users', 'follows', 'blocks', 'mutes', 'posts', 'comments', 'likes', 'bookmarks', 'collections', 'collection_posts', 'affinity_sources', 'shares', 'post_tags'] as const;

/** The projection's writes read by primary key only (stored-state.ts): every secondary index waits for the end of a build. */
export const PROFILES_SCHEMA: PostgresSchema = { lock: 'projection-profiles-schema', ddl: TABLES, tables: PROFILES_TABLES };
