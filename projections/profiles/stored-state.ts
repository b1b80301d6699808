import type pg from 'pg';
import type { FollowStatus } from '../../kernel/access.js';
import { pairKey, type BatchChanges } from '../runtime/batch-changes.js';
import type { StoredState } from '../runtime/count-deltas.js';

// Reads, before a batch's writes, the stored state of the rows whose changes move counts. No
// lock is needed: those rows are written by their own stream's instance only (count-deltas.ts).

const pairs = <T>(map: Map<string, T>, pick: (value: T) => [string, string]) => JSON.stringify([...map.values()].map((value) => pick(value)));

const readFollows = async (db: pg.PoolClient, changes: BatchChanges) => {
  if (changes.follows.size === 0) return new Map();
  const { rows } = await db.query<{ follower_id: string; followee_id: string; status: FollowStatus; rev: number }>(
    `select f.follower_id, f.followee_id, f.status, f.rev
     from jsonb_array_elements($1::jsonb) k join follows f on f.follower_id = (k->>0)::uuid and f.followee_id = (k->>1)::uuid`,
    [pairs(changes.follows, (c) => [c.followerId, c.followeeId])],
  );
  return new Map(rows.map((r) => [pairKey(r.follower_id, r.followee_id), { status: r.status, rev: r.rev }]));
};

const readLikes = async (db: pg.PoolClient, changes: BatchChanges) => {
  if (changes.likes.size === 0) return new Map();
  const { rows } = await db.query<{ post_id: string; user_id: string; active: boolean; rev: number }>(
    `select l.post_id, l.user_id, l.active, l.rev
     from jsonb_array_elements($1::jsonb) k join likes l on l.post_id = (k->>0)::uuid and l.user_id = (k->>1)::uuid`,
    [pairs(changes.likes, (c) => [c.postId, c.userId])],
  );
  return new Map(rows.map((r) => [pairKey(r.post_id, r.user_id), { active: r.active, rev: r.rev }]));
};

const readPosts = async (db: pg.PoolClient, changes: BatchChanges) => {
  if (changes.posts.size === 0) return new Map();
  const { rows } = await db.query<{ id: string; author_id: string | null; created: boolean; deleted: boolean }>(
    `select id, author_id, created_at is not null as created, deleted_at is not null as deleted from posts where id = any($1::uuid[])`,
    [[...changes.posts.keys()]],
  );
  return new Map(rows.map((r) => [r.id, { authorId: r.author_id, created: r.created, deleted: r.deleted }]));
};

const readComments = async (db: pg.PoolClient, changes: BatchChanges) => {
  if (changes.comments.size === 0) return new Map();
  const { rows } = await db.query<{ id: string; post_id: string | null; parent_id: string | null; created: boolean; deleted: boolean }>(
    `select id, post_id, parent_id, created_at is not null as created, deleted_at is not null as deleted from comments where id = any($1::uuid[])`,
    [[...changes.comments.keys()]],
  );
  return new Map(rows.map((r) => [r.id, { postId: r.post_id, parentId: r.parent_id, created: r.created, deleted: r.deleted }]));
};

export const readStoredState = async (db: pg.PoolClient, changes: BatchChanges): Promise<StoredState> => {
  // One connection runs one query at a time; sequential awaits keep that explicit.
  const follows = await readFollows(db, changes);
  const likes = await readLikes(db, changes);
  const posts = await readPosts(db, changes);
  const comments = await readComments(db, changes);
  return { follows, likes, posts, comments };
};
