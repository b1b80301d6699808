import type pg from 'pg';
import type { BatchChanges } from './batch-changes.js';
import { countDeltas, type CountDeltas } from './count-deltas.js';
import { readStoredState } from './stored-state.js';

// Writes one batch: a bulk upsert per table, each row passed as JSON (jsonb_to_recordset) and
// guarded so that only newer revisions overwrite (batch-changes.ts), counts moved by the deltas
// of count-deltas.ts. Tables are written in one fixed order and rows sorted by key, so that two
// instances adding to the same counters lock rows in the same order and do not deadlock.

const ms = (column: string) => `date_trunc('milliseconds', t.${column})`;
const register = (table: string, column: string) =>
  `${column} = case when excluded.${column}_rev > ${table}.${column}_rev then excluded.${column} else ${table}.${column} end,
   ${column}_rev = greatest(${table}.${column}_rev, excluded.${column}_rev)`;

const UPSERT_USERS = `
insert into users (id, username, registered_at, display_name, display_name_rev, bio, bio_rev, private, private_rev, follower_count, following_count, post_count)
select t.id, t.username, ${ms('registered_at')}, t.display_name, t.display_name_rev, coalesce(t.bio, ''), t.bio_rev, coalesce(t.private, false), t.private_rev,
  t.followers, t.following, t.posts
from jsonb_to_recordset($1::jsonb) as t(id uuid, username text, registered_at timestamptz, display_name text, display_name_rev int, bio text, bio_rev int,
  private boolean, private_rev int, followers int, following int, posts int)
order by t.id
on conflict (id) do update set
  username = coalesce(users.username, excluded.username),
  registered_at = coalesce(users.registered_at, excluded.registered_at),
  ${register('users', 'display_name')},
  ${register('users', 'bio')},
  ${register('users', 'private')},
  follower_count = users.follower_count + excluded.follower_count,
  following_count = users.following_count + excluded.following_count,
  post_count = users.post_count + excluded.post_count`;

const UPSERT_POSTS = `
insert into posts (id, author_id, caption, hashtags, mentions, caption_rev, media, created_at, deleted_at, like_count, comment_count)
select t.id, t.author_id, t.caption, t.hashtags, t.mentions, t.caption_rev, t.media, ${ms('created_at')}, ${ms('deleted_at')}, t.likes, t.comments
from jsonb_to_recordset($1::jsonb) as t(id uuid, author_id uuid, caption text, hashtags text[], mentions text[], caption_rev int, media jsonb,
  created_at timestamptz, deleted_at timestamptz, likes int, comments int)
order by t.id
on conflict (id) do update set
  author_id = coalesce(posts.author_id, excluded.author_id),
  caption = case when excluded.caption_rev > posts.caption_rev then excluded.caption else posts.caption end,
  hashtags = case when excluded.caption_rev > posts.caption_rev then excluded.hashtags else posts.hashtags end,
  mentions = case when excluded.caption_rev > posts.caption_rev then excluded.mentions else posts.mentions end,
  caption_rev = greatest(posts.caption_rev, excluded.caption_rev),
  media = coalesce(posts.media, excluded.media),
  created_at = coalesce(posts.created_at, excluded.created_at),
  deleted_at = coalesce(posts.deleted_at, excluded.deleted_at),
  like_count = posts.like_count + excluded.like_count,
  comment_count = posts.comment_count + excluded.comment_count`;

const UPSERT_COMMENTS = `
insert into comments (id, post_id, author_id, parent_id, text, mentions, created_at, deleted_at, reply_count)
select t.id, t.post_id, t.author_id, t.parent_id, t.text, t.mentions, ${ms('created_at')}, ${ms('deleted_at')}, t.replies
from jsonb_to_recordset($1::jsonb) as t(id uuid, post_id uuid, author_id uuid, parent_id uuid, text text, mentions text[],
  created_at timestamptz, deleted_at timestamptz, replies int)
order by t.id
on conflict (id) do update set
  post_id = coalesce(comments.post_id, excluded.post_id),
  author_id = coalesce(comments.author_id, excluded.author_id),
  parent_id = coalesce(comments.parent_id, excluded.parent_id),
  text = coalesce(comments.text, excluded.text),
  mentions = coalesce(comments.mentions, excluded.mentions),
  created_at = coalesce(comments.created_at, excluded.created_at),
  deleted_at = coalesce(comments.deleted_at, excluded.deleted_at),
  reply_count = comments.reply_count + excluded.reply_count`;

const UPSERT_FOLLOWS = `
insert into follows (follower_id, followee_id, status, rev, requested_at, followed_at)
select t.follower_id, t.followee_id, t.status, t.rev, ${ms('requested_at')}, ${ms('followed_at')}
from jsonb_to_recordset($1::jsonb) as t(follower_id uuid, followee_id uuid, status text, rev int, requested_at timestamptz, followed_at timestamptz)
order by t.follower_id, t.followee_id
on conflict (follower_id, followee_id) do update set
  status = excluded.status, rev = excluded.rev,
  requested_at = coalesce(excluded.requested_at, follows.requested_at),
  followed_at = coalesce(excluded.followed_at, follows.followed_at)
where follows.rev < excluded.rev`;

const UPSERT_BLOCKS = `
insert into blocks (blocker_id, blocked_id, active, rev, blocked_at)
select t.blocker_id, t.blocked_id, t.active, t.rev, ${ms('blocked_at')}
from jsonb_to_recordset($1::jsonb) as t(blocker_id uuid, blocked_id uuid, active boolean, rev int, blocked_at timestamptz)
order by t.blocker_id, t.blocked_id
on conflict (blocker_id, blocked_id) do update set
  active = excluded.active, rev = excluded.rev, blocked_at = coalesce(excluded.blocked_at, blocks.blocked_at)
where blocks.rev < excluded.rev`;

const UPSERT_LIKES = `
insert into likes (post_id, user_id, active, rev, liked_at)
select t.post_id, t.user_id, t.active, t.rev, ${ms('at')}
from jsonb_to_recordset($1::jsonb) as t(post_id uuid, user_id uuid, active boolean, rev int, at timestamptz)
order by t.post_id, t.user_id
on conflict (post_id, user_id) do update set
  active = excluded.active, rev = excluded.rev, liked_at = coalesce(excluded.liked_at, likes.liked_at)
where likes.rev < excluded.rev`;

const UPSERT_BOOKMARKS = `
insert into bookmarks (user_id, post_id, active, rev, bookmarked_at)
select t.user_id, t.post_id, t.active, t.rev, ${ms('at')}
from jsonb_to_recordset($1::jsonb) as t(user_id uuid, post_id uuid, active boolean, rev int, at timestamptz)
order by t.user_id, t.post_id
on conflict (user_id, post_id) do update set
  active = excluded.active, rev = excluded.rev, bookmarked_at = coalesce(excluded.bookmarked_at, bookmarks.bookmarked_at)
where bookmarks.rev < excluded.rev`;

const keysOf = (...maps: Map<string, unknown>[]) => [...new Set(maps.flatMap((map) => [...map.keys()]))];

const userRows = (changes: BatchChanges, deltas: CountDeltas) =>
  keysOf(changes.users, deltas.users).map((id) => {
    const change = changes.users.get(id);
    const counts = deltas.users.get(id);
    return {
      id,
      username: change?.username ?? null,
      registered_at: change?.registeredAt ?? null,
      display_name: change?.displayName?.value ?? null,
      display_name_rev: change?.displayName?.rev ?? -1,
      bio: change?.bio?.value ?? null,
      bio_rev: change?.bio?.rev ?? -1,
      private: change?.private?.value ?? null,
      private_rev: change?.private?.rev ?? -1,
      followers: counts?.followers ?? 0,
      following: counts?.following ?? 0,
      posts: counts?.posts ?? 0,
    };
  });

const postRows = (changes: BatchChanges, deltas: CountDeltas) =>
  keysOf(changes.posts, deltas.posts).map((id) => {
    const change = changes.posts.get(id);
    const counts = deltas.posts.get(id);
    return {
      id,
      author_id: change?.authorId ?? null,
      caption: change?.caption?.value.caption ?? null,
      hashtags: change?.caption?.value.hashtags ?? null,
      mentions: change?.caption?.value.mentions ?? null,
      caption_rev: change?.caption?.rev ?? -1,
      media: change?.media ?? null,
      created_at: change?.createdAt ?? null,
      deleted_at: change?.deletedAt ?? null,
      likes: counts?.likes ?? 0,
      comments: counts?.comments ?? 0,
    };
  });

const commentRows = (changes: BatchChanges, deltas: CountDeltas) =>
  keysOf(changes.comments, deltas.replies).map((id) => {
    const change = changes.comments.get(id);
    return {
      id,
      post_id: change?.postId ?? null,
      author_id: change?.authorId ?? null,
      parent_id: change?.parentId ?? null,
      text: change?.text ?? null,
      mentions: change?.mentions ?? null,
      created_at: change?.createdAt ?? null,
      deleted_at: change?.deletedAt ?? null,
      replies: deltas.replies.get(id) ?? 0,
    };
  });

const upsert = async (db: pg.PoolClient, sql: string, rows: readonly object[]) => {
  if (rows.length > 0) await db.query(sql, [JSON.stringify(rows)]);
};

export const writeBatch = async (db: pg.PoolClient, changes: BatchChanges): Promise<void> => {
  const deltas = countDeltas(changes, await readStoredState(db, changes));
  await upsert(db, UPSERT_USERS, userRows(changes, deltas));
  await upsert(db, UPSERT_POSTS, postRows(changes, deltas));
  await upsert(db, UPSERT_COMMENTS, commentRows(changes, deltas));
  await upsert(
    db,
    UPSERT_FOLLOWS,
    deltas.follows.map((f) => ({
      follower_id: f.followerId,
      followee_id: f.followeeId,
      status: f.status,
      rev: f.rev,
      requested_at: f.requestedAt,
      followed_at: f.followedAt,
    })),
  );
  await upsert(
    db,
    UPSERT_BLOCKS,
    [...changes.blocks.values()].map((b) => ({ blocker_id: b.blockerId, blocked_id: b.blockedId, active: b.active, rev: b.rev, blocked_at: b.blockedAt })),
  );
  await upsert(db, UPSERT_LIKES, deltas.likes.map((l) => ({ post_id: l.postId, user_id: l.userId, active: l.active, rev: l.rev, at: l.at })));
  await upsert(
    db,
    UPSERT_BOOKMARKS,
    [...changes.bookmarks.values()].map((b) => ({ user_id: b.userId, post_id: b.postId, active: b.active, rev: b.rev, at: b.at })),
  );
};
