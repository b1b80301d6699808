import type { FollowStatus } from '../../kernel/access.js';
import type { BatchChanges, FollowChange, MembershipChange, PostChange, ShareChange } from './batch-changes.js';

// The counter moves of the register fold (batch-changes.ts), for the read models that keep counts
// of it (profiles; search's PostgreSQL store), each reading its own stored state.
//
// Counts (followers, following, posts, likes, comments, replies) are kept by adding the change
// each batch makes to the set they count, never by blind increments: a follow counts +1 only
// when its row goes from not-following to following in THIS transaction, which the batch's
// changes and the row as stored before them tell exactly. A batch applied twice finds its rows
// already at its revisions and adds nothing.
//
// That the stored state read before the writes is still the state when they land rests on each
// row being written by one stream, hence by one projector instance. Counter rows, shared by many
// streams, only ever receive additions, which commute.

/** The stored state of the rows whose membership counts, read before the batch's writes. */
export interface StoredState {
  follows: Map<string, { status: FollowStatus; rev: number }>;
  likes: Map<string, { active: boolean; rev: number }>;
  posts: Map<string, { authorId: string | null; created: boolean; deleted: boolean }>;
  comments: Map<string, { postId: string | null; parentId: string | null; created: boolean; deleted: boolean }>;
  /** The stories whose share row is stored (a read model that counts shares: profiles). */
  shares?: ReadonlySet<string>;
}

export interface UserCounts {
  followers: number;
  following: number;
  posts: number;
}
export interface PostCounts {
  likes: number;
  comments: number;
  shares: number;
}

export interface CountDeltas {
  users: Map<string, UserCounts>;
  posts: Map<string, PostCounts>;
  /** Reply counts of parent comments. */
  replies: Map<string, number>;
  /** The follows and likes that are newer than what is stored: the only ones worth writing. */
  follows: FollowChange[];
  likes: MembershipChange[];
  /** The shares not stored yet: each counts once, its story's row written once. */
  shares: ShareChange[];
}

const add = <T extends object>(map: Map<string, T>, key: string, zero: () => T, delta: Partial<Record<keyof T, number>>) => {
  const counts = map.get(key) ?? zero();
  for (const [field, value] of Object.entries(delta) as [keyof T, number][]) (counts[field] as number) += value;
  map.set(key, counts);
};

const flip = (before: boolean, after: boolean): number => Number(after) - Number(before);

export const countDeltas = (changes: BatchChanges, stored: StoredState): CountDeltas => {
  const deltas: CountDeltas = { users: new Map(), posts: new Map(), replies: new Map(), follows: [], likes: [], shares: [] };
  const user = (id: string, delta: Partial<UserCounts>) => add(deltas.users, id, () => ({ followers: 0, following: 0, posts: 0 }), delta);
  const post = (id: string, delta: Partial<PostCounts>) => add(deltas.posts, id, () => ({ likes: 0, comments: 0, shares: 0 }), delta);

  for (const [key, change] of changes.follows) {
    const before = stored.follows.get(key) ?? { status: 'none', rev: -1 };
    if (change.rev <= before.rev) continue;
    deltas.follows.push(change);
    const d = flip(before.status === 'following', change.status === 'following');
    if (d !== 0) {
      user(change.followeeId, { followers: d });
      user(change.followerId, { following: d });
    }
  }

  for (const [key, change] of changes.likes) {
    const before = stored.likes.get(key) ?? { active: false, rev: -1 };
    if (change.rev <= before.rev) continue;
    deltas.likes.push(change);
    const d = flip(before.active, change.active);
    if (d !== 0) post(change.postId, { likes: d });
  }

  // A share counts once per story, whatever becomes of the story (deleted, expired): it counts
  // that the post was shared, as a like counts that it is liked.
  for (const [storyId, change] of changes.shares) {
    if (stored.shares?.has(storyId)) continue;
    deltas.shares.push(change);
    post(change.postId, { shares: 1 });
  }

  // A post or comment is live from its creation until its deletion; both are set once.
  for (const [id, change] of changes.posts) {
    const before = stored.posts.get(id) ?? { authorId: null, created: false, deleted: false };
    const authorId = before.authorId ?? change.authorId;
    const d = flip(before.created && !before.deleted, (before.created || change.createdAt !== undefined) && !(before.deleted || change.deletedAt !== undefined));
    if (d !== 0 && authorId) user(authorId, { posts: d });
  }

  for (const [id, change] of changes.comments) {
    const before = stored.comments.get(id) ?? { postId: null, parentId: null, created: false, deleted: false };
    const postId = before.postId ?? change.postId;
    const parentId = before.parentId ?? change.parentId ?? null;
    const d = flip(before.created && !before.deleted, (before.created || change.createdAt !== undefined) && !(before.deleted || change.deletedAt !== undefined));
    if (d === 0) continue;
    if (postId) post(postId, { comments: d });
    if (parentId) deltas.replies.set(parentId, (deltas.replies.get(parentId) ?? 0) + d);
  }
  return deltas;
};

/**
 * The posts rows of a batch, as the bulk upserts of both read models that keep posts take them
 * (profiles' posts, search's posts): every post the batch changed or moved a count of, with the
 * columns they share, plus what `extra` adds for one table's own columns. What the batch did
 * not change is left out (undefined), which the upsert unpacks as NULL (bulk-upsert.ts).
 */
export const postRows = <Extra extends object>(
  changes: BatchChanges,
  deltas: CountDeltas,
  extra: (change: PostChange | undefined) => Extra = () => ({}) as Extra,
) =>
  [...new Set([...changes.posts.keys(), ...deltas.posts.keys()])].map((id) => {
    const change = changes.posts.get(id);
    const counts = deltas.posts.get(id);
    return {
      id,
      author_id: change?.authorId,
      caption: change?.caption?.value.caption,
      hashtags: change?.caption?.value.hashtags,
      caption_rev: change?.caption?.rev ?? -1,
      created_at: change?.createdAt,
      deleted_at: change?.deletedAt,
      like_count: counts?.likes ?? 0,
      comment_count: counts?.comments ?? 0,
      share_count: counts?.shares ?? 0,
      ...extra(change),
    };
  });
