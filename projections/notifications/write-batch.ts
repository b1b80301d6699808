import type pg from 'pg';
import { bulkUpsert, registerColumns, revisionedRowUpsert, truncMs, upsertRows } from '../runtime/bulk-upsert.js';
import { appendWhere, compareText, MILLISECOND_TIME } from '../runtime/copy-rows.js';
import { analyzeTables } from '../runtime/dump-postgres.js';
import type { WrittenKeys } from '../runtime/written-keys.js';
import { ALL_GROUPS, type BatchFacts, type SourceRow } from './batch-facts.js';
import { INSERT_GROUP_ACTORS } from './group-actors.js';
import { COUNT_UNREAD, countsAsUnread, GROUP_READ, GROUP_VISIBLE, notErasedSql, visibleActorSql } from './visibility.js';

// Writes one batch. Facts and sources are upserted (newer stream revisions win), then the
// sources the batch may have changed are derived again: whom each notifies (the like's post
// author, the parent comment's author, the mentioned user) and which group it joins, or none
// when it is retracted, deleted or the actor's own. Then the groups they left or joined are
// rebuilt from their sources, actors included (group-actors.ts), so counts and times are never
// accumulated blindly. Then the actors a block between them and a recipient, or their
// registration, shows or hides are flipped, each group's actor count moving by exactly the
// flags that flipped. The `visible` and `unread` flags of every group whose inputs the batch
// changed are derived again (a rebuilt group's as it is inserted, then those whose actor count or
// read mark moved), and each
// recipient's unread count moves by exactly the flags that flipped: a function of the state, so
// a replay ends with the same flags and counts however its batches are cut. An account's
// deletion request or restoration flips its actor rows as a block does; its erasure derives its
// sources again (they join no group: visibility.ts notErasedSql), so its own groups and its part
// in others' are rebuilt away, and then forgets its read marks and unread count.
//
// Whichever of two related events is applied second resolves them (a reply before its parent
// comment, a mention before the user registers): the derivation looks at both sides. Batches of
// this projection take one transaction-scoped lock per schema, so that two instances (partitioned
// by stream) never derive from each other's uncommitted rows; each sees the other's commit.
// The same statement tells the planner, for this transaction, that a page read at random costs
// little more than one read in sequence (random_page_cost 1.1 instead of 4, the figure for a
// spinning disk): the tables a batch touches are in the cache, and at 4 a thousand keys of a
// table of a few thousand pages were planned as scans of the whole table (the groups, their
// actors), a batch cost that grew with the rebuild.
const LOCK = `select pg_advisory_xact_lock(hashtext('notifications:' || current_schema())), set_config('random_page_cost', '1.1', true)`;

const UPSERT_USERS = bulkUpsert({
  table: 'notification_users',
  key: ['id'],
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'username', type: 'text', merge: 'keep' },
    { name: 'display_name', type: 'text', merge: { newerThan: 'display_name_rev' } },
    { name: 'display_name_rev', type: 'int', merge: 'greatest' },
    { name: 'registered_at', type: 'timestamptz', insert: truncMs, merge: 'keep' },
    // A batch that says nothing of the account's lifecycle sends a null state at revision -1.
    ...registerColumns('state', 'text', (value) => `coalesce(${value}, 'active')`),
  ],
});

// An erased account keeps its id only: its username is free to be taken again (a mention of the
// new owner must not resolve to it), and its display name is personal text. Returns the usernames
// it let go, whose mentions a live batch derives again: resolved through the username, they no
// longer name the account (an ungrouped one, of a deleted post, included), as a build derives them.
const BLANK_ERASED_USERS = `update notification_users u set username = null, display_name = ''
from (select id, username from notification_users where id = any($1::uuid[])) old
where u.id = old.id and u.state = 'erased' and (u.username is not null or u.display_name is distinct from '')
returning old.username`;

// The sources an erasure takes out of their groups: those of the groups the erased account
// receives (notification_groups_by_recipient) and its own in groups it acts in
// (notification_group_actors_by_actor), each through the group's index range. Derived again,
// they join no group (notErasedSql), and their groups are rebuilt without them.
const SOURCES_OF_ERASED = `
select s.source_id from (
  select id from notification_groups where recipient_id = any($1::uuid[])
  union
  select group_id from notification_group_actors where actor_id = any($1::uuid[])
) g
join notification_sources s on s.group_id = g.id
where s.resolved_recipient_id = any($1::uuid[]) or s.actor_id = any($1::uuid[])`;

/**
 * What is left of an erased account's own once its groups are gone: its read marks and unread
 * count. Of the given accounts (the batch's erased ones, and its readers: a mark applied by
 * another instance after the erasure), only the erased ones.
 */
const ERASED_AMONG = `select id::text as id from notification_users where id = any($1::uuid[]) and state = 'erased'`;
/** Every erased account: whose marks and count a build forgets at the end (deriveEveryNotification). */
const ERASED = `select id::text as id from notification_users where state = 'erased'`;
const FORGET_ERASED = [`delete from notification_reads where user_id = any($1::uuid[])`, `delete from notification_unread where user_id = any($1::uuid[])`];

const UPSERT_POSTS = bulkUpsert({
  table: 'notification_posts',
  key: ['id'],
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'author_id', type: 'uuid', merge: 'keep' },
    { name: 'deleted', type: 'boolean', merge: 'or' },
  ],
});

const UPSERT_COMMENTS = bulkUpsert({
  table: 'notification_comments',
  key: ['id'],
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'post_id', type: 'uuid', merge: 'keep' },
    { name: 'author_id', type: 'uuid', merge: 'keep' },
    { name: 'deleted', type: 'boolean', merge: 'or' },
  ],
});

const UPSERT_BLOCKS = revisionedRowUpsert({
  table: 'notification_blocks',
  key: ['blocker_id', 'blocked_id'],
  columns: [
    { name: 'blocker_id', type: 'uuid' },
    { name: 'blocked_id', type: 'uuid' },
    { name: 'active', type: 'boolean', merge: 'replace' },
  ],
});

// The rows are SourceRow objects as folded (camelCase fields); null fields keep what is stored.
// A mention kept by a caption edit keeps the time it was first made (unless the batch saw it
// dropped and made again: `keepMentionTime` false).
const upsertSources = (keepMentionTime: boolean) =>
  revisionedRowUpsert({
    table: 'notification_sources',
    key: ['source_id'],
    columns: [
      { name: 'source_id', field: 'sourceId', type: 'text' },
      { name: 'kind', type: 'text', merge: 'replaceUnlessNull' },
      { name: 'actor_id', field: 'actorId', type: 'uuid', merge: 'replaceUnlessNull' },
      { name: 'recipient_id', field: 'recipientId', type: 'uuid', merge: 'replaceUnlessNull' },
      { name: 'parent_comment_id', field: 'parentCommentId', type: 'uuid', merge: 'replaceUnlessNull' },
      { name: 'mentioned_username', field: 'mentionedUsername', type: 'text', merge: 'replaceUnlessNull' },
      { name: 'post_id', field: 'postId', type: 'uuid', merge: 'replaceUnlessNull' },
      { name: 'comment_id', field: 'commentId', type: 'uuid', merge: 'replaceUnlessNull' },
      {
        name: 'occurred_at',
        field: 'occurredAt',
        type: 'timestamptz',
        insert: truncMs,
        merge: {
          sql: (s) => `case when ${keepMentionTime} and ${s}.active and ${s}.kind = 'mention' and excluded.kind = 'mention' then ${s}.occurred_at
                     else coalesce(excluded.occurred_at, ${s}.occurred_at) end`,
        },
      },
      { name: 'active', type: 'boolean', merge: 'replace' },
    ],
  });

// Per post, through the partial index (a lateral lookup): the join the planner would otherwise pick
// on a table it has no statistics for yet (a rebuild fills it from empty) scans every mention.
const END_OLD_CAPTION_MENTIONS = `
update notification_sources s set active = false
from jsonb_to_recordset($1::jsonb) as t(post_id uuid, rev int)
cross join lateral (
  select m.source_id from notification_sources m
  where m.post_id = t.post_id and m.kind = 'mention' and m.comment_id is null and m.rev < t.rev and m.active
  offset 0 -- keeps the lookup per post: without it the planner flattens the subquery into that join
) old
where s.source_id = old.source_id`;

// Whom each source of `from` (an SQL FROM item naming notification_sources `s`) notifies and which
// group it joins, or none (null): one home for the rule, derived for a batch's affected sources
// (DERIVE) and for every source once a build has stored them all (DERIVE_EVERY). `window` is the
// SQL of the grouping window in milliseconds.
const derivedSources = (from: string, window: string) => `
  select s.source_id, r.recipient_id,
    case when s.active and s.kind is not null and s.actor_id is not null and s.occurred_at is not null
          and r.recipient_id is not null and r.recipient_id <> s.actor_id
          and ${notErasedSql('s.actor_id')} and ${notErasedSql('r.recipient_id')}
          and not coalesce(p.deleted, false) and not coalesce(c.deleted, false) and not coalesce(pc.deleted, false)
    then md5(concat_ws('|', r.recipient_id, s.kind, s.post_id,
                       case s.kind when 'reply' then s.parent_comment_id when 'mention' then s.comment_id end,
                       floor(extract(epoch from s.occurred_at) * 1000 / ${window})::bigint))::uuid
    end as group_id
  from ${from}
  left join notification_posts p on p.id = s.post_id
  left join notification_comments c on c.id = s.comment_id
  left join notification_comments pc on pc.id = s.parent_comment_id
  left join notification_users mu on mu.username = s.mentioned_username and mu.registered_at <= s.occurred_at
  cross join lateral (select coalesce(s.recipient_id, pc.author_id, mu.id) as recipient_id) r`;

// $1 sources written, $2 posts deleted or re-captioned, $3 comments added or deleted,
// $4 usernames registered, $5 the grouping window in milliseconds. The affected sources are a
// union of one branch per index: written as one OR of the five conditions, the planner scans the
// whole table, at a cost that grows with it. The sources written are looked up one by one
// (lateral, as END_OLD_CAPTION_MENTIONS): a thousand keys of a table of some ten thousand pages
// are planned as a scan too.
const DERIVE = `
with affected as materialized (
  select w.source_id, w.group_id as old_group from unnest($1::text[]) as k(source_id)
  cross join lateral (select source_id, group_id from notification_sources where source_id = k.source_id offset 0) w
  union select source_id, group_id from notification_sources where post_id = any($2::uuid[])
  union select source_id, group_id from notification_sources where comment_id = any($3::uuid[])
  union select source_id, group_id from notification_sources where parent_comment_id = any($3::uuid[])
  union select source_id, group_id from notification_sources where mentioned_username = any($4::text[])
), derived as (${derivedSources('notification_sources s join affected a using (source_id)', '$5::bigint')})
update notification_sources s set resolved_recipient_id = d.recipient_id, group_id = d.group_id
from derived d join affected a using (source_id)
where s.source_id = d.source_id
returning a.old_group, s.group_id as new_group`;

// Every source, in one pass over the tables ($1 the window). Only the rows it changes are
// written: most of a log's retracted sources stay as they were stored, ungrouped.
const DERIVE_EVERY = `
with derived as (${derivedSources('notification_sources s', '$1::bigint')})
update notification_sources s set resolved_recipient_id = d.recipient_id, group_id = d.group_id
from derived d
where s.source_id = d.source_id
  and (s.resolved_recipient_id is distinct from d.recipient_id or s.group_id is distinct from d.group_id)`;

// The groups and their actor rows go together (notification_group_actors has no group to cascade
// from). The actor rows are found group by group (lateral, as END_OLD_CAPTION_MENTIONS): `group_id
// = any(...)` was planned as a scan of the whole table, even at cached-page costs.
const DELETE_GROUPS = `
with actors as (
  delete from notification_group_actors a using (
    select x.group_id, x.actor_id from unnest($1::uuid[]) as k(id)
    cross join lateral (select group_id, actor_id from notification_group_actors where group_id = k.id offset 0) x
  ) t
  where a.group_id = t.group_id and a.actor_id = t.actor_id
)
delete from notification_groups where id = any($1::uuid[])
returning id, recipient_id, latest_at, ${countsAsUnread('notification_groups')} as counted`;

// The groups' actor rows (group-actors.ts), then the groups, in one statement: each group's actor
// count is taken from the rows the statement inserts (what GROUP_ACTOR_COUNT counts once they are
// in: the group's rows were all deleted just before), and its flags are derived at once from it
// and the read marks (visibility.ts), so that a rebuilt group needs no second pass (REFRESH_FLAGS)
// and no lookup per group. The groups are those of the grouped sources `sourceFilter` selects:
// a batch's ($1, INSERT_GROUPS, which returns as `counted` what the recipient's unread count
// gains), or every one once a build has derived them all (INSERT_EVERY_GROUP).
const insertGroups = (sourceFilter: string, returning = '') => `
with actors as (${INSERT_GROUP_ACTORS(sourceFilter, 'returning group_id, visible')}),
counts as (select group_id, (count(*) filter (where visible))::int as actor_count from actors group by group_id)
insert into notification_groups (id, recipient_id, kind, post_id, comment_id, latest_at, actor_count, visible, unread)
select g.id, g.recipient_id, g.kind, g.post_id, g.comment_id, g.latest_at, g.actor_count, ${GROUP_VISIBLE}, not ${GROUP_READ}
from (
  select s.*, coalesce(c.actor_count, 0) as actor_count
  from (
    select group_id as id, resolved_recipient_id as recipient_id, kind, post_id,
      case kind when 'reply' then parent_comment_id when 'mention' then comment_id end as comment_id, max(occurred_at) as latest_at
    from notification_sources where group_id is not null and ${sourceFilter}
    -- The group's id hashes its recipient, kind and target (derivedSources): one row per group (group-actors.ts).
    group by group_id, resolved_recipient_id, kind, post_id, case kind when 'reply' then parent_comment_id when 'mention' then comment_id end
  ) s
  left join counts c on c.group_id = s.id
) g
${returning}`;

const INSERT_GROUPS = insertGroups('group_id = any($1::uuid[])', `returning id, recipient_id, latest_at, ${countsAsUnread('notification_groups')} as counted`);
const INSERT_EVERY_GROUP = insertGroups('true');

const UPSERT_READS = bulkUpsert({
  table: 'notification_reads',
  key: ['user_id', 'group_id'],
  columns: [
    { name: 'user_id', type: 'uuid' },
    { name: 'group_id', type: 'uuid' },
    { name: 'read_up_to', type: 'timestamptz', merge: 'greatest' },
  ],
});

// The actor rows a batch's blocks, registrations or account lifecycle events may flip: those of a
// blocked actor towards the blocker and the other way round (the pairs come both ways; $1), and
// those of newly registered actors and of actors whose account was put up for deletion or
// restored ($2), an index lookup each (notification_group_actors_by_actor; lateral, as
// END_OLD_CAPTION_MENTIONS, so that a table without statistics yet is not scanned whole). Only
// rows whose flag changes are written, and each group's actor count moves by them; returns the
// groups whose count moved.
const REFRESH_ACTORS = `
with candidates as (
  select a.group_id, a.actor_id from jsonb_to_recordset($1::jsonb) as p(actor_id uuid, recipient_id uuid)
  cross join lateral (
    select group_id, actor_id from notification_group_actors where actor_id = p.actor_id and recipient_id = p.recipient_id offset 0
  ) a
  union
  select a.group_id, a.actor_id from unnest($2::uuid[]) as r(actor_id)
  cross join lateral (select group_id, actor_id from notification_group_actors where actor_id = r.actor_id offset 0) a
), changed as (
  update notification_group_actors a set visible = not a.visible
  from candidates c
  where a.group_id = c.group_id and a.actor_id = c.actor_id and a.visible <> (${visibleActorSql('a', 'a.recipient_id')})
  returning a.group_id, a.visible
)
update notification_groups g set actor_count = g.actor_count + d.moved
from (select group_id, sum(case when visible then 1 else -1 end)::int as moved from changed group by group_id) d
where g.id = d.group_id and d.moved <> 0
returning g.id::text as id`;

/** The unread groups a mark of every group now covers (an index range per user: notification_groups_unread). */
const GROUPS_MARKED_READ = `
select g.id::text as id from notification_groups g
join notification_reads r on r.user_id = g.recipient_id and r.group_id = '${ALL_GROUPS}'
where g.recipient_id = any($1::uuid[]) and g.unread and g.latest_at <= r.read_up_to`;

// Derives the flags of the given groups again and returns how each recipient's count of visible
// unread groups moved. Only rows whose flags change are written.
const REFRESH_FLAGS = `
with fresh as (
  select g.id, ${countsAsUnread('g')} as was,
    ${GROUP_VISIBLE} as visible,
    not ${GROUP_READ} as unread
  from notification_groups g
  where g.id = any($1::uuid[])
), changed as (
  update notification_groups g set visible = f.visible, unread = f.unread
  from fresh f
  where g.id = f.id and (g.visible <> f.visible or g.unread <> f.unread)
  returning g.recipient_id, f.was, ${countsAsUnread('f')} as counted
)
select recipient_id::text as user_id, sum(counted::int - was::int)::int as groups from changed
group by recipient_id having sum(counted::int - was::int) <> 0`;

const ADD_UNREAD = bulkUpsert({
  table: 'notification_unread',
  key: ['user_id'],
  ordered: true,
  columns: [
    { name: 'user_id', type: 'uuid' },
    { name: 'groups', type: 'int', merge: 'add' },
  ],
});

/** A group that got newer activity in this batch: what is pushed to its recipient. */
export interface FreshGroup {
  id: string;
  recipientId: string;
}

const sourceRows = (facts: BatchFacts): SourceRow[] => [...facts.sources.values()];

/** Per recipient, how many visible unread groups the batch added (negative: took away). */
type UnreadDeltas = Map<string, number>;

const addDelta = (deltas: UnreadDeltas, userId: string, delta: number) => deltas.set(userId, (deltas.get(userId) ?? 0) + delta);

/** Rebuilds the groups from their sources; the ones removed leave the counts they were in. */
const regroup = async (db: pg.PoolClient, groupIds: string[], deltas: UnreadDeltas): Promise<FreshGroup[]> => {
  if (groupIds.length === 0) return [];
  const before = await db.query<{ id: string; recipient_id: string; latest_at: Date; counted: boolean }>(DELETE_GROUPS, [groupIds]);
  for (const row of before.rows) if (row.counted) addDelta(deltas, row.recipient_id, -1);
  const after = await db.query<{ id: string; recipient_id: string; latest_at: Date; counted: boolean }>(INSERT_GROUPS, [groupIds]);
  for (const row of after.rows) if (row.counted) addDelta(deltas, row.recipient_id, 1);
  const previous = new Map(before.rows.map((row) => [row.id, row.latest_at.getTime()]));
  return after.rows
    .filter((row) => row.latest_at.getTime() > (previous.get(row.id) ?? -Infinity))
    .map((row) => ({ id: row.id, recipientId: row.recipient_id }));
};

/**
 * The groups whose flags the batch may have changed without rebuilding them: those whose actor
 * count a block or unblock between their recipient and an actor, an actor's registration, or an
 * actor's account deletion request or restoration, moved (the blocker's groups of a blocked actor are hidden when the block is applied, so the
 * list never skips them), and those of read marks.
 */
const groupsToRefresh = async (db: pg.PoolClient, facts: BatchFacts): Promise<string[]> => {
  const ids = new Set<string>();
  const pairs = [...facts.blocks.values()].flatMap((b) => [
    { actor_id: b.blockedId, recipient_id: b.blockerId },
    { actor_id: b.blockerId, recipient_id: b.blockedId },
  ]);
  const changed = [...facts.users.values()].filter((u) => u.username !== null || u.state !== null).map((u) => u.id);
  if (pairs.length + changed.length > 0) {
    for (const row of (await db.query<{ id: string }>(REFRESH_ACTORS, [JSON.stringify(pairs), changed])).rows) ids.add(row.id);
  }
  const reads = [...facts.reads.values()];
  for (const read of reads) if (read.groupId !== ALL_GROUPS) ids.add(read.groupId);
  const markedAll = [...new Set(reads.filter((r) => r.groupId === ALL_GROUPS).map((r) => r.userId))];
  if (markedAll.length > 0) for (const row of (await db.query<{ id: string }>(GROUPS_MARKED_READ, [markedAll])).rows) ids.add(row.id);
  return [...ids];
};

/** Derives the flags of `groupIds` again, then moves every recipient's unread count by what changed. */
const refreshFlags = async (db: pg.PoolClient, groupIds: string[], deltas: UnreadDeltas): Promise<void> => {
  if (groupIds.length > 0) {
    const { rows } = await db.query<{ user_id: string; groups: number }>(REFRESH_FLAGS, [groupIds.sort()]);
    for (const row of rows) addDelta(deltas, row.user_id, row.groups);
  }
  const moved = [...deltas].filter(([, delta]) => delta !== 0).map(([user_id, groups]) => ({ user_id, groups }));
  await upsertRows(db, ADD_UNREAD, moved);
};

/** The tables whose new rows a build appends with COPY (appendNew). */
type AppendedTable = 'notification_sources' | 'notification_posts' | 'notification_comments';
/** The keys a generation being built has written to them (runtime/written-keys.ts). */
export type WrittenNotificationRows = WrittenKeys<AppendedTable>;

const KEY_COLUMN: Record<AppendedTable, { column: string; type: string }> = {
  notification_sources: { column: 'source_id', type: 'text' },
  notification_posts: { column: 'id', type: 'uuid' },
  notification_comments: { column: 'id', type: 'uuid' },
};
const KEYS_PAGE = 20_000;

/** Gives `written` every key stored (none, when a build starts), a page at a time by key. */
const addStoredKeys = async (db: pg.PoolClient, written: WrittenNotificationRows): Promise<void> => {
  for (const [table, { column, type }] of Object.entries(KEY_COLUMN) as [AppendedTable, (typeof KEY_COLUMN)[AppendedTable]][]) {
    let after: string | undefined;
    for (;;) {
      const { rows } = await db.query<{ key: string }>(
        `select ${column}::text as key from ${table} ${after === undefined ? '' : `where ${column} > $1::${type}`} order by ${column} limit ${KEYS_PAGE}`,
        after === undefined ? [] : [after],
      );
      for (const row of rows) written.add(table, row.key);
      if (rows.length < KEYS_PAGE) break;
      after = rows.at(-1)!.key;
    }
  }
};

/**
 * While a generation is built (this pass its only writer, each batch one transaction with its
 * checkpoint), a row whose key no batch has written yet is not stored: nothing to merge it with,
 * so it is appended with COPY (copy-rows.ts), without the upsert's JSON unpacking and conflict
 * handling, the largest cost of a build's batch here. `fits` leaves to the upsert a row COPY
 * would not store as the upsert does. Every key is added to `written` before the commit: a key
 * added and then rolled back only sends a later row through the upsert. Returns the rows left
 * to upsert (all of them without `written`). Uuid keys are compared as stored (lower case).
 */
const appendNew = async <Row>(
  db: pg.PoolClient,
  written: WrittenNotificationRows | undefined,
  table: AppendedTable,
  rows: readonly Row[],
  { key, columns, toColumns, fits = () => true }: { key: (row: Row) => string; columns: readonly string[]; toColumns: (row: Row) => Record<string, unknown>; fits?: (row: Row) => boolean },
): Promise<Row[]> => {
  if (!written) return [...rows];
  const stored = KEY_COLUMN[table].type === 'uuid' ? (row: Row) => key(row).toLowerCase() : key;
  return appendWhere(db, table, columns, rows, { appendable: (row) => written.addNew(table, stored(row)) && fits(row), toColumns, order: (a, b) => compareText(key(a), key(b)) });
};

const SOURCE_COLUMNS = ['source_id', 'kind', 'actor_id', 'recipient_id', 'parent_comment_id', 'mentioned_username', 'post_id', 'comment_id', 'occurred_at', 'active', 'rev'];
const sourceColumns = (row: SourceRow): Record<string, unknown> => ({
  source_id: row.sourceId,
  kind: row.kind,
  actor_id: row.actorId,
  recipient_id: row.recipientId,
  parent_comment_id: row.parentCommentId,
  mentioned_username: row.mentionedUsername,
  post_id: row.postId,
  comment_id: row.commentId,
  occurred_at: row.occurredAt,
  active: row.active,
  rev: row.rev,
});

const erasedIn = (facts: BatchFacts): string[] => [...facts.users.values()].filter((u) => u.state?.value === 'erased').map((u) => u.id);

/**
 * Stores a batch's facts, sources and read marks (newer stream revisions win), deriving nothing
 * from them: what a live batch writes first (writeNotificationFacts), and all that a batch of a
 * generation being built writes (deriveEveryNotification derives it all once the pass is over);
 * given `written` (such a build, alone), new posts, comments and sources are appended (appendNew).
 */
export const storeNotificationFacts = async (db: pg.PoolClient, facts: BatchFacts, written?: WrittenNotificationRows): Promise<{ releasedUsernames: string[] }> => {
  await db.query(LOCK);
  if (written) await written.ready(() => addStoredKeys(db, written));
  await upsertRows(
    db,
    UPSERT_USERS,
    [...facts.users.values()].map((u) => ({
      id: u.id,
      username: u.username,
      registered_at: u.registeredAt,
      display_name: u.displayName?.value ?? null,
      display_name_rev: u.displayName?.rev ?? -1,
      state: u.state?.value ?? null,
      state_rev: u.state?.rev ?? -1,
    })),
  );
  const erased = erasedIn(facts);
  const released = erased.length > 0 ? (await db.query<{ username: string | null }>(BLANK_ERASED_USERS, [erased])).rows : [];
  const asIs = (row: Record<string, unknown>) => row;
  const posts = [...facts.posts.values()].map((p) => ({ id: p.id, author_id: p.authorId, deleted: p.deleted }));
  const postColumns = { key: (row: { id: string }) => row.id, columns: ['id', 'author_id', 'deleted'], toColumns: asIs };
  await upsertRows(db, UPSERT_POSTS, await appendNew(db, written, 'notification_posts', posts, postColumns));
  const comments = [...facts.comments.values()].map((c) => ({ id: c.id, post_id: c.postId, author_id: c.authorId, deleted: c.deleted }));
  const commentColumns = { key: (row: { id: string }) => row.id, columns: ['id', 'post_id', 'author_id', 'deleted'], toColumns: asIs };
  await upsertRows(db, UPSERT_COMMENTS, await appendNew(db, written, 'notification_comments', comments, commentColumns));
  await upsertRows(db, UPSERT_BLOCKS, [...facts.blocks.values()].map((b) => ({ blocker_id: b.blockerId, blocked_id: b.blockedId, active: b.active, rev: b.rev })));
  // A new source's occurred_at goes in as given only when the upsert would not truncate it (truncMs).
  const sourceFits = (row: SourceRow) => row.occurredAt === null || MILLISECOND_TIME.test(row.occurredAt);
  const sources = await appendNew(db, written, 'notification_sources', sourceRows(facts), { key: (row) => row.sourceId, columns: SOURCE_COLUMNS, toColumns: sourceColumns, fits: sourceFits });
  await upsertRows(db, upsertSources(true), sources.filter((row) => !row.restarted));
  await upsertRows(db, upsertSources(false), sources.filter((row) => row.restarted));
  await upsertRows(db, END_OLD_CAPTION_MENTIONS, [...facts.captions].map(([postId, { rev }]) => ({ post_id: postId, rev })));
  await upsertRows(db, UPSERT_READS, [...facts.reads.values()].map((r) => ({ user_id: r.userId, group_id: r.groupId, read_up_to: r.upTo })));
  return { releasedUsernames: released.flatMap((row) => (row.username ? [row.username] : [])) };
};

/** Stores a batch (storeNotificationFacts), then derives again what it may have changed (see the top of this file). */
export const writeNotificationFacts = async (db: pg.PoolClient, facts: BatchFacts, windowMs: number): Promise<FreshGroup[]> => {
  const { releasedUsernames } = await storeNotificationFacts(db, facts);
  const users = [...facts.users.values()];
  const erased = erasedIn(facts);
  const posts = [...new Set([...[...facts.posts.values()].filter((p) => p.deleted).map((p) => p.id), ...facts.captions.keys()])];
  const usernames = [...new Set([...users.flatMap((u) => (u.username ? [u.username] : [])), ...releasedUsernames])];
  const ofErased = erased.length > 0 ? (await db.query<{ source_id: string }>(SOURCES_OF_ERASED, [erased])).rows.map((row) => row.source_id) : [];
  const sourceIds = [...new Set([...facts.sources.keys(), ...ofErased])];
  const deltas: UnreadDeltas = new Map();
  let touched: string[] = [];
  let fresh: FreshGroup[] = [];
  if (sourceIds.length + posts.length + facts.comments.size + usernames.length > 0) {
    const derived = await db.query<{ old_group: string | null; new_group: string | null }>(DERIVE, [
      sourceIds,
      posts,
      [...facts.comments.keys()],
      usernames,
      windowMs,
    ]);
    touched = [...new Set(derived.rows.flatMap((row) => [row.old_group, row.new_group]).filter((id): id is string => id !== null))].sort();
    fresh = await regroup(db, touched, deltas);
  }
  // The rebuilt groups got their flags as they went in (INSERT_GROUPS); a group that a block or a
  // read mark of this batch also concerns is among those refreshed.
  await refreshFlags(db, await groupsToRefresh(db, facts), deltas);
  const readers = [...new Set([...facts.reads.values()].map((r) => r.userId))];
  const erasedReaders = readers.length > 0 ? (await db.query<{ id: string }>(ERASED_AMONG, [readers])).rows.map((row) => row.id) : [];
  const forget = [...new Set([...erased, ...erasedReaders])];
  if (forget.length > 0) for (const statement of FORGET_ERASED) await db.query(statement, [forget]);
  return fresh;
};

/**
 * Derives, from what the tables hold at the end of a build's pass, all that its batches left
 * underived (storeNotificationFacts), with the statements a live batch derives its share with:
 * the erased accounts' read marks and counts forgotten, every source's recipient and group, every
 * group with its actors and flags, every recipient's unread count. What was derived before is
 * derived anew (a later `verify` round, a `resume` after a crash in the middle, run it again).
 */
export const deriveEveryNotification = async (db: pg.PoolClient, windowMs: number): Promise<void> => {
  await db.query(LOCK);
  // A few statements over whole tables: their hash joins and aggregates fit in memory at 64MB
  // (not 4MB, where they spill), and compiling them (JIT) cost seconds the plain plans do not.
  await db.query(`select set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`);
  const erased = (await db.query<{ id: string }>(ERASED)).rows.map((row) => row.id);
  if (erased.length > 0) for (const statement of FORGET_ERASED) await db.query(statement, [erased]);
  await db.query(DERIVE_EVERY, [windowMs]);
  // The statistics the pass left say that no source has a group yet: planned on them, the
  // groups' aggregates are joined by nested loops, one pass over the sources per group.
  await analyzeTables(db, ['notification_sources']);
  await db.query('delete from notification_group_actors');
  await db.query('delete from notification_groups');
  await db.query(INSERT_EVERY_GROUP);
  await analyzeTables(db, ['notification_groups']);
  await db.query('delete from notification_unread');
  await db.query(COUNT_UNREAD);
};
