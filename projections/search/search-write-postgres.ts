import type pg from 'pg';
import type { RecordedEvent } from '../../events/index.js';
import { foldBatch, pairKey, type BatchChanges } from '../profiles/batch-changes.js';
import { countDeltas, type CountDeltas, type StoredState } from '../profiles/count-deltas.js';
import type { SearchTables } from './search-schema-postgres.js';

// Writes one batch of the search read model, inside the batch's transaction (the checkpoint
// commits with it). The batch is folded in memory with the profiles read model's folding
// (profiles/batch-changes.ts): every row is written by the events of ONE stream, so fields are
// registers guarded by the stream revision that wrote them, and creation and deletion are set
// once. Re-applying a batch, or an older batch after newer ones, therefore changes nothing.
//
// Counts are never blind increments:
// - like and comment counts move by the flips count-deltas.ts derives from the stored like and
//   comment rows (read before the writes; a like row is only ever written by its own stream's
//   instance), and additions to a post's counters commute across instances;
// - hashtag counts move by exactly the (tag, post) rows the tag sync really inserts or deletes,
//   and those rows are derived from the post's STORED state after its guarded upsert.

const ms = (column: string) => `date_trunc('milliseconds', t.${column})`;

const upsertUsers = (t: SearchTables) => `
insert into ${t.users} (id, username, display_name, display_name_rev, private, private_rev)
select t.id, t.username, coalesce(t.display_name, ''), t.display_name_rev, coalesce(t.private, false), t.private_rev
from jsonb_to_recordset($1::jsonb) as t(id uuid, username text, display_name text, display_name_rev int, private boolean, private_rev int)
order by t.id
on conflict (id) do update set
  username = coalesce(${t.users}.username, excluded.username),
  display_name = case when excluded.display_name_rev > ${t.users}.display_name_rev then excluded.display_name else ${t.users}.display_name end,
  display_name_rev = greatest(${t.users}.display_name_rev, excluded.display_name_rev),
  private = case when excluded.private_rev > ${t.users}.private_rev then excluded.private else ${t.users}.private end,
  private_rev = greatest(${t.users}.private_rev, excluded.private_rev)`;

const upsertPosts = (t: SearchTables) => `
insert into ${t.posts} (id, author_id, caption, hashtags, caption_rev, created_at, deleted_at, like_count, comment_count)
select t.id, t.author_id, coalesce(t.caption, ''), coalesce(t.hashtags, '{}'), t.caption_rev, ${ms('created_at')}, ${ms('deleted_at')}, t.likes, t.comments
from jsonb_to_recordset($1::jsonb) as t(id uuid, author_id uuid, caption text, hashtags text[], caption_rev int,
  created_at timestamptz, deleted_at timestamptz, likes int, comments int)
order by t.id
on conflict (id) do update set
  author_id = coalesce(${t.posts}.author_id, excluded.author_id),
  caption = case when excluded.caption_rev > ${t.posts}.caption_rev then excluded.caption else ${t.posts}.caption end,
  hashtags = case when excluded.caption_rev > ${t.posts}.caption_rev then excluded.hashtags else ${t.posts}.hashtags end,
  caption_rev = greatest(${t.posts}.caption_rev, excluded.caption_rev),
  created_at = coalesce(${t.posts}.created_at, excluded.created_at),
  deleted_at = coalesce(${t.posts}.deleted_at, excluded.deleted_at),
  like_count = ${t.posts}.like_count + excluded.like_count,
  comment_count = ${t.posts}.comment_count + excluded.comment_count`;

// The (tag, post) rows of the given posts become exactly their stored live tags; the hashtag
// counters move by the rows that really went in or out. Counters are locked in tag order, so two
// instances moving the same tags wait for each other instead of deadlocking.
const syncTags = (t: SearchTables) => `
with wanted as (
  select distinct p.id as post_id, tag, p.created_at
  from ${t.posts} p cross join lateral unnest(p.hashtags) as tag
  where p.id = any($1::uuid[]) and p.created_at is not null and p.deleted_at is null
),
removed as (
  delete from ${t.postTags} pt
  where pt.post_id = any($1::uuid[]) and not exists (select 1 from wanted w where w.post_id = pt.post_id and w.tag = pt.tag)
  returning pt.tag
),
added as (
  insert into ${t.postTags} (tag, post_id, created_at)
  select tag, post_id, created_at from wanted order by tag, post_id
  on conflict (tag, post_id) do nothing
  returning tag
),
deltas as (
  select tag, sum(d)::int as d from (select tag, -1 as d from removed union all select tag, 1 as d from added) c
  group by tag having sum(d) <> 0
)
insert into ${t.hashtags} (tag, posts) select tag, d from deltas order by tag
on conflict (tag) do update set posts = ${t.hashtags}.posts + excluded.posts`;

const upsertLikes = (t: SearchTables) => `
insert into ${t.likes} (post_id, user_id, active, rev)
select t.post_id, t.user_id, t.active, t.rev
from jsonb_to_recordset($1::jsonb) as t(post_id uuid, user_id uuid, active boolean, rev int)
order by t.post_id, t.user_id
on conflict (post_id, user_id) do update set active = excluded.active, rev = excluded.rev
where ${t.likes}.rev < excluded.rev`;

const upsertComments = (t: SearchTables) => `
insert into ${t.comments} (id, post_id, created, deleted)
select t.id, t.post_id, t.created, t.deleted
from jsonb_to_recordset($1::jsonb) as t(id uuid, post_id uuid, created boolean, deleted boolean)
order by t.id
on conflict (id) do update set
  post_id = coalesce(${t.comments}.post_id, excluded.post_id),
  created = ${t.comments}.created or excluded.created,
  deleted = ${t.comments}.deleted or excluded.deleted`;

/** The stored like and comment rows the batch touches: what their changes flip is what counts move by. */
const readStoredState = async (db: pg.PoolClient, t: SearchTables, changes: BatchChanges): Promise<StoredState> => {
  const stored: StoredState = { follows: new Map(), likes: new Map(), posts: new Map(), comments: new Map() };
  if (changes.likes.size > 0) {
    const pairs = [...changes.likes.values()].map((c) => [c.postId, c.userId]);
    const { rows } = await db.query<{ post_id: string; user_id: string; active: boolean; rev: number }>(
      `select l.post_id, l.user_id, l.active, l.rev
       from jsonb_array_elements($1::jsonb) k join ${t.likes} l on l.post_id = (k->>0)::uuid and l.user_id = (k->>1)::uuid`,
      [JSON.stringify(pairs)],
    );
    for (const r of rows) stored.likes.set(pairKey(r.post_id, r.user_id), { active: r.active, rev: r.rev });
  }
  if (changes.comments.size > 0) {
    const { rows } = await db.query<{ id: string; post_id: string | null; created: boolean; deleted: boolean }>(
      `select id, post_id, created, deleted from ${t.comments} where id = any($1::uuid[])`,
      [[...changes.comments.keys()]],
    );
    // Replies are not counted apart here, so the parent does not matter.
    for (const r of rows) stored.comments.set(r.id, { postId: r.post_id, parentId: null, created: r.created, deleted: r.deleted });
  }
  return stored;
};

const userRows = (changes: BatchChanges) =>
  [...changes.users.values()].map((u) => ({
    id: u.id,
    username: u.username ?? null,
    display_name: u.displayName?.value ?? null,
    display_name_rev: u.displayName?.rev ?? -1,
    private: u.private?.value ?? null,
    private_rev: u.private?.rev ?? -1,
  }));

const postRows = (changes: BatchChanges, deltas: CountDeltas) =>
  [...new Set([...changes.posts.keys(), ...deltas.posts.keys()])].map((id) => {
    const change = changes.posts.get(id);
    const counts = deltas.posts.get(id);
    return {
      id,
      author_id: change?.authorId ?? null,
      caption: change?.caption?.value.caption ?? null,
      hashtags: change?.caption?.value.hashtags ?? null,
      caption_rev: change?.caption?.rev ?? -1,
      created_at: change?.createdAt ?? null,
      deleted_at: change?.deletedAt ?? null,
      likes: counts?.likes ?? 0,
      comments: counts?.comments ?? 0,
    };
  });

const commentRows = (changes: BatchChanges) =>
  [...changes.comments.values()].map((c) => ({
    id: c.id,
    post_id: c.postId ?? null,
    created: c.createdAt !== undefined,
    deleted: c.deletedAt !== undefined,
  }));

const upsert = async (db: pg.PoolClient, sql: string, rows: readonly object[]) => {
  if (rows.length > 0) await db.query(sql, [JSON.stringify(rows)]);
};

export const writeSearchBatch = async (db: pg.PoolClient, t: SearchTables, events: readonly RecordedEvent[]): Promise<void> => {
  const changes = foldBatch(events);
  const deltas = countDeltas(changes, await readStoredState(db, t, changes));
  await upsert(db, upsertUsers(t), userRows(changes));
  await upsert(db, upsertPosts(t), postRows(changes, deltas));
  if (changes.posts.size > 0) await db.query(syncTags(t), [[...changes.posts.keys()]]);
  await upsert(
    db,
    upsertLikes(t),
    deltas.likes.map((l) => ({ post_id: l.postId, user_id: l.userId, active: l.active, rev: l.rev })),
  );
  await upsert(db, upsertComments(t), commentRows(changes));
};
