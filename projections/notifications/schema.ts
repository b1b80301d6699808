import type { PostgresSchema } from '../runtime/build-schema.js';
import { GROUP_ACTOR_COUNT, INSERT_GROUP_ACTORS } from './group-actors.js';
import { notificationKinds } from './subscribed-events.js';
import { COUNT_UNREAD, GROUP_READ, GROUP_VISIBLE } from './visibility.js';

/** The kinds a source may have, as an SQL list. */
const KINDS = notificationKinds.map((kind) => `'${kind}'`).join(', ');

// The notifications read model's tables (unqualified: the pool's search_path picks the schema,
// so that a rebuild can fill a generation of its own).
//
// notification_sources holds one row per fact that may notify someone, keyed by what produced
// it (a like stream, a follow stream, a comment, a mention in a caption or comment), with the raw
// facts from its events and a stream-revision guard (`rev`). Who it notifies and which group it
// joins are derived from it and from the fact tables (users, posts, comments) by write-batch.ts,
// whichever arrives first. notification_groups is derived again from the sources: one row per
// (recipient, kind, post or comment, time window), so nothing in it is a blind counter. Each
// group also keeps whether its recipient sees it (`visible`: an actor registered and with no
// block either way) and has not read it (`unread`), both derived again whenever their inputs
// change (write-batch.ts), so that a page of the list is an index range of visible groups and
// the unread count one row of notification_unread, whatever the number of groups (review F9).
// notification_group_actors is derived the same way: one row per (group, actor) with the actor's
// latest activity in it and whether the recipient sees them, and each group keeps the count of
// those it sees (`actor_count`), so that naming a page's actors reads ACTORS_SHOWN index entries
// per group, however many liked it or were blocked. notification_users keeps each account's
// lifecycle (`state`, a register by user-stream revision): a deleting account's actor rows are
// not visible, and an erased account's sources join no group (visibility.ts).
const TABLES = `
create table if not exists notification_users (
  id uuid primary key,
  username text,
  display_name text,
  display_name_rev integer not null default -1,
  registered_at timestamptz,
  state text not null default 'active' check (state in ('active', 'deleting', 'erased')),
  state_rev integer not null default -1
);
create index if not exists notification_users_by_username on notification_users (username);
-- A deployment from before account deletion: every account it knows is active.
alter table notification_users add column if not exists state text not null default 'active' check (state in ('active', 'deleting', 'erased'));
alter table notification_users add column if not exists state_rev integer not null default -1;

create table if not exists notification_posts (
  id uuid primary key,
  author_id uuid,
  deleted boolean not null default false
);

create table if not exists notification_comments (
  id uuid primary key,
  post_id uuid,
  author_id uuid,
  deleted boolean not null default false
);

create table if not exists notification_blocks (
  blocker_id uuid not null,
  blocked_id uuid not null,
  active boolean not null,
  rev integer not null,
  primary key (blocker_id, blocked_id)
);

create table if not exists notification_sources (
  source_id text primary key,
  kind text check (kind in (${KINDS})),
  actor_id uuid,
  recipient_id uuid,
  parent_comment_id uuid,
  mentioned_username text,
  post_id uuid,
  comment_id uuid,
  occurred_at timestamptz,
  active boolean not null,
  rev integer not null,
  resolved_recipient_id uuid,
  group_id uuid
);
create index if not exists notification_sources_by_group on notification_sources (group_id, occurred_at desc) where group_id is not null;
create index if not exists notification_sources_by_post on notification_sources (post_id);
create index if not exists notification_sources_caption_mentions on notification_sources (post_id) where kind = 'mention' and comment_id is null;
create index if not exists notification_sources_by_comment on notification_sources (comment_id) where comment_id is not null;
create index if not exists notification_sources_by_parent on notification_sources (parent_comment_id) where parent_comment_id is not null;
create index if not exists notification_sources_by_username on notification_sources (mentioned_username) where mentioned_username is not null;
drop index if exists notification_sources_by_actor;

create table if not exists notification_groups (
  id uuid primary key,
  recipient_id uuid not null,
  kind text not null,
  post_id uuid,
  comment_id uuid,
  latest_at timestamptz not null,
  visible boolean not null default false,
  unread boolean not null default false,
  actor_count integer not null default 0
);
-- Every group of a recipient, visible or not: what an erasure of the recipient takes away.
create index if not exists notification_groups_by_recipient on notification_groups (recipient_id);

create table if not exists notification_group_actors (
  group_id uuid not null,
  actor_id uuid not null,
  recipient_id uuid not null,
  latest_at timestamptz not null,
  visible boolean not null,
  primary key (group_id, actor_id)
);
-- The actors a page names: the newest visible ones of each group, an index range per group.
create index if not exists notification_group_actors_shown on notification_group_actors (group_id, latest_at desc, actor_id desc) where visible;
-- The rows a block or a registration may flip: an actor's, towards one recipient.
create index if not exists notification_group_actors_by_actor on notification_group_actors (actor_id, recipient_id);

-- Per recipient: the groups both visible and unread (what GET /notifications answers as unreadCount).
create table if not exists notification_unread (
  user_id uuid primary key,
  groups integer not null
);

-- group_id is the nil UUID for a mark that covers every group.
create table if not exists notification_reads (
  user_id uuid not null,
  group_id uuid not null,
  read_up_to timestamptz not null,
  primary key (user_id, group_id)
);

-- A deployment from before shares and user tags (issue 17) gets the kinds 'share' and 'tagged' in its check here.
do $$
begin
  if exists (select 1 from pg_constraint
             where conrelid = 'notification_sources'::regclass and conname = 'notification_sources_kind_check'
               and pg_get_constraintdef(oid) not like '%''tagged''%') then
    alter table notification_sources drop constraint notification_sources_kind_check;
    alter table notification_sources add constraint notification_sources_kind_check check (kind in (${KINDS}));
  end if;
end $$;

-- A deployment from before the actor counts gets them here, derived once from its sources (before
-- the flags below, which are derived from the counts).
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = 'notification_groups' and column_name = 'actor_count') then
    alter table notification_groups add column actor_count integer not null default 0;
    delete from notification_group_actors;
    ${INSERT_GROUP_ACTORS('true')};
    update notification_groups g set actor_count = ${GROUP_ACTOR_COUNT};
  end if;
end $$;

-- A deployment from before the flags gets them here, derived once from what its tables hold.
do $$
begin
  if not exists (select 1 from information_schema.columns
                 where table_schema = current_schema() and table_name = 'notification_groups' and column_name = 'visible') then
    alter table notification_groups add column visible boolean not null default false;
    alter table notification_groups add column unread boolean not null default false;
    update notification_groups g set visible = ${GROUP_VISIBLE}, unread = not ${GROUP_READ};
    ${COUNT_UNREAD};
  end if;
end $$;
drop index if exists notification_groups_newest;
create index if not exists notification_groups_listed on notification_groups (recipient_id, latest_at desc, id desc) where visible;
create index if not exists notification_groups_unread on notification_groups (recipient_id, latest_at) where unread;
`;

/** Every table of the notifications read model (the replay CLI dumps and drops them). */
export const NOTIFICATION_TABLES = [
  'notification_users',
  'notification_posts',
  'notification_comments',
  'notification_blocks',
  'notification_sources',
  'notification_groups',
  'notification_group_actors',
  'notification_reads',
  'notification_unread',
] as const;
export const notificationTables: readonly string[] = NOTIFICATION_TABLES;

/**
 * While a generation is built, a batch only stores facts and sources (write-batch.ts
 * storeNotificationFacts) through primary keys, but for the lookup that ends a re-captioned
 * post's old mentions; everything else is read once the pass is over (deriveEveryNotification).
 */
export const NOTIFICATIONS_SCHEMA: PostgresSchema = {
  lock: 'projection-notifications-schema',
  ddl: TABLES,
  tables: NOTIFICATION_TABLES,
  buildIndexes: ['notification_sources_caption_mentions'],
  // deriveEveryNotification (write-batch.ts) sets every source's recipient and group at the end.
  updatedAtFinish: ['notification_sources'],
};
