import type pg from 'pg';
import type { FollowStatus } from '../../kernel/access.js';
import { pairKey, type BatchChanges } from '../runtime/batch-changes.js';
import type { StoredState } from '../runtime/count-deltas.js';
import { addStoredKeys, addWrittenKeys, unstoredKeys, type WrittenKeys } from '../runtime/written-keys.js';

// Reads, before a batch's writes, the stored state of the rows whose changes move counts. No
// lock is needed: those rows are written by their own stream's instance only (count-deltas.ts).
// A generation being built reads only the rows it may have written (runtime/written-keys.ts):
// any other row holds nothing yet, the state count-deltas.ts assumes of a row not found.

/** The tables whose stored state a batch reads. */
export type StateTable = 'follows' | 'likes' | 'posts' | 'comments' | 'shares';
export type WrittenRows = WrittenKeys<StateTable>;

/** The keys of `map` whose rows may be stored. */
const mayBeStored = <T>(map: Map<string, T>, table: StateTable, written: WrittenRows | undefined): [string, T][] =>
  written ? [...map].filter(([key]) => written.mayHave(table, key)) : [...map];

/**
 * The stored state, and the follows, likes, posts and comments whose rows are not stored at all (none but for a
 * generation being built, whose only writer has never written their keys): a batch may append
 * those with COPY instead of upserting them (write-batch.ts).
 */
export interface ProfileStoredState extends StoredState {
  unstored: Record<'follows' | 'likes' | 'posts' | 'comments', ReadonlySet<string>>;
}

const pairs = <T>(entries: [string, T][], pick: (value: T) => [string, string]) => JSON.stringify(entries.map(([, value]) => pick(value)));

const readFollows = async (db: pg.PoolClient, changes: BatchChanges, written: WrittenRows | undefined) => {
  const keys = mayBeStored(changes.follows, 'follows', written);
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ follower_id: string; followee_id: string; status: FollowStatus; rev: number }>(
    `select f.follower_id, f.followee_id, f.status, f.rev
     from jsonb_array_elements($1::jsonb) k join follows f on f.follower_id = (k->>0)::uuid and f.followee_id = (k->>1)::uuid`,
    [pairs(keys, (c) => [c.followerId, c.followeeId])],
  );
  return new Map(rows.map((r) => [pairKey(r.follower_id, r.followee_id), { status: r.status, rev: r.rev }]));
};

const readLikes = async (db: pg.PoolClient, changes: BatchChanges, written: WrittenRows | undefined) => {
  const keys = mayBeStored(changes.likes, 'likes', written);
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ post_id: string; user_id: string; active: boolean; rev: number }>(
    `select l.post_id, l.user_id, l.active, l.rev
     from jsonb_array_elements($1::jsonb) k join likes l on l.post_id = (k->>0)::uuid and l.user_id = (k->>1)::uuid`,
    [pairs(keys, (c) => [c.postId, c.userId])],
  );
  return new Map(rows.map((r) => [pairKey(r.post_id, r.user_id), { active: r.active, rev: r.rev }]));
};

const readPosts = async (db: pg.PoolClient, changes: BatchChanges, written: WrittenRows | undefined) => {
  const keys = mayBeStored(changes.posts, 'posts', written);
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; author_id: string | null; created: boolean; deleted: boolean }>(
    `select id, author_id, created_at is not null as created, deleted_at is not null as deleted from posts where id = any($1::uuid[])`,
    [keys.map(([id]) => id)],
  );
  return new Map(rows.map((r) => [r.id, { authorId: r.author_id, created: r.created, deleted: r.deleted }]));
};

const readComments = async (db: pg.PoolClient, changes: BatchChanges, written: WrittenRows | undefined) => {
  const keys = mayBeStored(changes.comments, 'comments', written);
  if (keys.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; post_id: string | null; parent_id: string | null; created: boolean; deleted: boolean }>(
    `select id, post_id, parent_id, created_at is not null as created, deleted_at is not null as deleted from comments where id = any($1::uuid[])`,
    [keys.map(([id]) => id)],
  );
  return new Map(rows.map((r) => [r.id, { postId: r.post_id, parentId: r.parent_id, created: r.created, deleted: r.deleted }]));
};

const readShares = async (db: pg.PoolClient, changes: BatchChanges, written: WrittenRows | undefined): Promise<Set<string>> => {
  const keys = mayBeStored(changes.shares, 'shares', written);
  if (keys.length === 0) return new Set();
  const { rows } = await db.query<{ story_id: string }>('select story_id from shares where story_id = any($1::uuid[])', [keys.map(([id]) => id)]);
  return new Set(rows.map((r) => r.story_id));
};

/**
 * The stored state `changes` are counted against. With `written`, the keys the batch is about to
 * write are added to it: before the commit, which is safe, since a key added but never written
 * only makes a later batch read a row it will not find.
 */
export const readStoredState = async (db: pg.PoolClient, changes: BatchChanges, written?: WrittenRows): Promise<ProfileStoredState> => {
  if (written) await written.ready(() => addStoredKeys(db, written, KEY_COLUMNS));
  const unstored = {
    follows: unstoredKeys(changes.follows.keys(), 'follows', written),
    likes: unstoredKeys(changes.likes.keys(), 'likes', written),
    posts: unstoredKeys(changes.posts.keys(), 'posts', written),
    comments: unstoredKeys(changes.comments.keys(), 'comments', written),
  };
  // One connection runs one query at a time; sequential awaits keep that explicit.
  const follows = await readFollows(db, changes, written);
  const likes = await readLikes(db, changes, written);
  const posts = await readPosts(db, changes, written);
  const comments = await readComments(db, changes, written);
  const shares = await readShares(db, changes, written);
  if (written) {
    const tables = [['follows', changes.follows], ['likes', changes.likes], ['posts', changes.posts], ['comments', changes.comments], ['shares', changes.shares]] as const;
    for (const [table, map] of tables) addWrittenKeys(written, table, map.keys());
  }
  return { follows, likes, posts, comments, shares, unstored };
};

/** Each table's key columns, as stored-state keys are made of them (pairKey for two). */
const KEY_COLUMNS: Record<StateTable, readonly string[]> = {
  follows: ['follower_id', 'followee_id'],
  likes: ['post_id', 'user_id'],
  posts: ['id'],
  comments: ['id'],
  shares: ['story_id'],
};
