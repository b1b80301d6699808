import type { PostgresSchema } from '../runtime/build-schema.js';
import { prefixedTables } from '../runtime/table-names.js';

// Tables of the feed read model in PostgreSQL, under a table-name prefix (default 'feed_') so that
// a rebuild can fill a new generation beside the live one. Ids are text in the "C" collation:
// byte order, the order the keyset cursors and Redis use for ties on the score.
export const feedTables = (prefix: string) =>
  prefixedTables(prefix, {
    /** Home-feed entries. */
    items: 'items',
    /** Per feed: its size (exact: changed by the rows each statement really inserts or deletes) and floor. */
    meta: 'meta',
    timelines: 'timelines',
    follows: 'follows',
    /** Follower counts, kept exact the same way as feed sizes. */
    followerCounts: 'follower_counts',
    celebrities: 'celebrities',
    deleted: 'deleted_posts',
    /** Viewer marks: (user, kind 'liked' | 'saved', post), a set. */
    marks: 'marks',
    /** Hashtag follows: (user, tag), a set. */
    tagFollows: 'tag_follows',
    /** Each tag's live posts, with their author. */
    tagTimelines: 'tag_timelines',
    /** Each live tagged post's author and tags, in caption order. */
    postTags: 'post_tags',
  });

export type FeedTables = ReturnType<typeof feedTables>;

/**
 * The feeds' sizes and the follower counts are updated by nearly every push and follow statement
 * (a fan-out slice touches most feeds). Pages kept half free let each update stay on its page
 * without a new index entry (a HOT update): about half the cost of those upserts, measured on
 * 2026-12-03. Only tables created from now on take it; it changes no answer.
 */
const COUNTER_FILLFACTOR = 50;

export const feedSchema = (t: FeedTables): string => `
create table if not exists ${t.items} (
  user_id text collate "C" not null,
  post_id text collate "C" not null,
  score bigint not null,
  primary key (user_id, post_id)
);
create index if not exists ${t.items}_by_score on ${t.items} (user_id, score, post_id);
create table if not exists ${t.meta} (
  user_id text collate "C" primary key,
  size integer not null default 0,
  floor bigint
) with (fillfactor = ${COUNTER_FILLFACTOR});
create table if not exists ${t.timelines} (
  author_id text collate "C" not null,
  post_id text collate "C" not null,
  score bigint not null,
  primary key (author_id, post_id)
);
create index if not exists ${t.timelines}_by_score on ${t.timelines} (author_id, score, post_id);
create table if not exists ${t.follows} (
  follower_id text collate "C" not null,
  followee_id text collate "C" not null,
  primary key (follower_id, followee_id)
);
create index if not exists ${t.follows}_by_followee on ${t.follows} (followee_id, follower_id);
create table if not exists ${t.followerCounts} (
  user_id text collate "C" primary key,
  followers integer not null default 0
) with (fillfactor = ${COUNTER_FILLFACTOR});
create table if not exists ${t.celebrities} (
  user_id text collate "C" primary key,
  state text not null check (state in ('celebrity', 'demoting'))
);
create table if not exists ${t.deleted} (
  post_id text collate "C" primary key
);
create table if not exists ${t.marks} (
  user_id text collate "C" not null,
  kind text not null check (kind in ('liked', 'saved')),
  post_id text collate "C" not null,
  primary key (user_id, kind, post_id)
);
create table if not exists ${t.tagFollows} (
  user_id text collate "C" not null,
  tag text collate "C" not null,
  primary key (user_id, tag)
);
create index if not exists ${t.tagFollows}_by_tag on ${t.tagFollows} (tag, user_id);
create table if not exists ${t.tagTimelines} (
  tag text collate "C" not null,
  post_id text collate "C" not null,
  score bigint not null,
  primary key (tag, post_id)
);
create index if not exists ${t.tagTimelines}_by_score on ${t.tagTimelines} (tag, score, post_id);
create table if not exists ${t.postTags} (
  post_id text collate "C" primary key,
  author_id text collate "C" not null,
  tags text[] not null
);`;


/**
 * The schema as build-schema.ts takes it. While a generation is built, the projection's fan-out
 * walks the followers of each author (follows by followee) and of each tag (tag follows by tag);
 * the score indexes serve the reader, and the store's own reads by score (a trim, a backfill)
 * stay within one feed or timeline's rows.
 */
export const feedPostgresSchema = (t: FeedTables): PostgresSchema => ({
  lock: `feed-setup:${t.items}`,
  ddl: feedSchema(t),
  tables: Object.values(t),
  buildIndexes: [`${t.follows}_by_followee`, `${t.tagFollows}_by_tag`],
});
