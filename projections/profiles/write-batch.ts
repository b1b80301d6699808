import type pg from 'pg';
import { bulkUpsert, registerColumns, revisionedRowUpsert, truncMs, upsertRows, type UpsertColumn } from '../runtime/bulk-upsert.js';
import { pairKey, type BatchChanges, type PostChange } from '../runtime/batch-changes.js';
import { appendWhere, byFields, MILLISECOND_TIME, textArrayField } from '../runtime/copy-rows.js';
import { countDeltas, postRows, type CountDeltas } from '../runtime/count-deltas.js';
import { deferCounts } from './deferred-counts.js';
import { readStoredState, type WrittenRows } from './stored-state.js';

// Writes one batch: a bulk upsert per table (runtime/bulk-upsert.ts), each row passed as JSON
// and guarded so that only newer revisions overwrite (runtime/batch-changes.ts), counts moved by
// the deltas of runtime/count-deltas.ts. Tables are written in one fixed order and rows sorted by
// key, so that two instances adding to the same counters lock rows in the same order and do not
// deadlock.

const ifNewerCaption = { newerThan: 'caption_rev' } as const;
const setOnceAt = (name: string): UpsertColumn => ({ name, type: 'timestamptz', insert: truncMs, merge: 'keep' });

/**
 * The username is set once, and blanked for good once the state register says 'erased' (the name
 * is free again: UsernameReleased). SET expressions read the row as stored, so the state it is
 * about to hold is computed here as its register merge computes it.
 */
const usernameUnlessErased = (stored: string) =>
  `case when (case when excluded.state_rev > ${stored}.state_rev then excluded.state else ${stored}.state end) = 'erased' then null
   else coalesce(${stored}.username, excluded.username) end`;

const UPSERT_USERS = bulkUpsert({
  table: 'users',
  key: ['id'],
  ordered: true,
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'username', type: 'text', merge: { sql: usernameUnlessErased } },
    setOnceAt('registered_at'),
    ...registerColumns('display_name', 'text'),
    ...registerColumns('bio', 'text', (bio) => `coalesce(${bio}, '')`),
    ...registerColumns('private', 'boolean', (flag) => `coalesce(${flag}, false)`),
    ...registerColumns('avatar', 'jsonb'),
    ...registerColumns('verified', 'boolean', (flag) => `coalesce(${flag}, false)`),
    ...registerColumns('state', 'text', (state) => `coalesce(${state}, 'active')`),
    { name: 'follower_count', type: 'int', merge: 'add' },
    { name: 'following_count', type: 'int', merge: 'add' },
    { name: 'post_count', type: 'int', merge: 'add' },
  ],
});

/** A card keeps a post's location as { id, name } (the coordinates live in the search read model). */
const locationCard = (location: PostChange['location']) => (location ? { id: location.id, name: location.name } : location);

const UPSERT_POSTS = bulkUpsert({
  table: 'posts',
  key: ['id'],
  ordered: true,
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'author_id', type: 'uuid', merge: 'keep' },
    { name: 'caption', type: 'text', merge: ifNewerCaption },
    { name: 'hashtags', type: 'text[]', merge: ifNewerCaption },
    { name: 'mentions', type: 'text[]', merge: ifNewerCaption },
    { name: 'caption_rev', type: 'int', merge: 'greatest' },
    { name: 'media', type: 'jsonb', merge: 'keep' },
    { name: 'location', type: 'jsonb', merge: 'keep' },
    setOnceAt('created_at'),
    setOnceAt('deleted_at'),
    { name: 'like_count', type: 'int', merge: 'add' },
    { name: 'comment_count', type: 'int', merge: 'add' },
    { name: 'share_count', type: 'int', merge: 'add' },
  ],
});

const INSERT_SHARES = bulkUpsert({
  table: 'shares',
  key: ['story_id'],
  ordered: true,
  columns: [
    { name: 'story_id', type: 'uuid' },
    { name: 'post_id', type: 'uuid', merge: 'keep' },
    { name: 'sharer_id', type: 'uuid', merge: 'keep' },
    setOnceAt('shared_at'),
  ],
});

const UPSERT_COMMENTS = bulkUpsert({
  table: 'comments',
  key: ['id'],
  ordered: true,
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'post_id', type: 'uuid', merge: 'keep' },
    { name: 'author_id', type: 'uuid', merge: 'keep' },
    { name: 'parent_id', type: 'uuid', merge: 'keep' },
    { name: 'text', type: 'text', merge: 'keep' },
    { name: 'mentions', type: 'text[]', merge: 'keep' },
    setOnceAt('created_at'),
    setOnceAt('deleted_at'),
    { name: 'reply_count', type: 'int', merge: 'add' },
  ],
});

/** A pair's row (follow, block, mute, like, bookmark), written whole by the pair's stream. */
const pairUpsert = (table: string, key: [string, string], columns: UpsertColumn[]) =>
  revisionedRowUpsert({ table, key, ordered: true, columns: [...key.map((name) => ({ name, type: 'uuid' })), ...columns] });
/** A time a later event of the pair may not carry (an unlike has no time): the last one known stays. */
const lastKnownAt = (name: string): UpsertColumn => ({ name, type: 'timestamptz', insert: truncMs, merge: 'replaceUnlessNull' });

const UPSERT_FOLLOWS = pairUpsert('follows', ['follower_id', 'followee_id'], [
  { name: 'status', type: 'text', merge: 'replace' },
  lastKnownAt('requested_at'),
  lastKnownAt('followed_at'),
]);
const UPSERT_BLOCKS = pairUpsert('blocks', ['blocker_id', 'blocked_id'], [{ name: 'active', type: 'boolean', merge: 'replace' }, lastKnownAt('blocked_at')]);
const UPSERT_MUTES = pairUpsert('mutes', ['muter_id', 'muted_id'], [{ name: 'active', type: 'boolean', merge: 'replace' }, lastKnownAt('muted_at')]);
const UPSERT_HASHTAG_FOLLOWS = revisionedRowUpsert({
  table: 'hashtag_follows',
  key: ['user_id', 'tag'],
  ordered: true,
  columns: [{ name: 'user_id', type: 'uuid' }, { name: 'tag', type: 'text' }, { name: 'active', type: 'boolean', merge: 'replace' }, lastKnownAt('followed_at')],
});
const UPSERT_LIKES = pairUpsert('likes', ['post_id', 'user_id'], [{ name: 'active', type: 'boolean', merge: 'replace' }, lastKnownAt('liked_at')]);
const UPSERT_BOOKMARKS = pairUpsert('bookmarks', ['user_id', 'post_id'], [
  { name: 'active', type: 'boolean', merge: 'replace' },
  lastKnownAt('bookmarked_at'),
]);

const UPSERT_COLLECTIONS = bulkUpsert({
  table: 'collections',
  key: ['id'],
  ordered: true,
  columns: [
    { name: 'id', type: 'uuid' },
    { name: 'owner_id', type: 'uuid', merge: 'keep' },
    ...registerColumns('name', 'text'),
    setOnceAt('created_at'),
    setOnceAt('deleted_at'),
  ],
});
const UPSERT_COLLECTION_POSTS = pairUpsert('collection_posts', ['collection_id', 'post_id'], [
  { name: 'owner_id', type: 'uuid', merge: 'keep' },
  { name: 'active', type: 'boolean', merge: 'replace' },
  lastKnownAt('added_at'),
]);

const UPSERT_POST_TAGS = pairUpsert('post_tags', ['post_id', 'user_id'], [
  { name: 'author_id', type: 'uuid', merge: 'keep' },
  { name: 'positions', type: 'jsonb', merge: 'replaceUnlessNull' },
  { name: 'active', type: 'boolean', merge: 'replace' },
  lastKnownAt('tagged_at'),
]);

// A building generation's follows and likes never written before (stored-state.ts `unstored`)
// are appended with COPY (runtime/copy-rows.ts) instead of the upsert, with exactly the columns
// the upsert would insert (pairUpsert: the key, the columns, `rev`), when their times are already
// what its truncMs would store.
const FOLLOW_COLUMNS = ['follower_id', 'followee_id', 'status', 'rev', 'requested_at', 'followed_at'];
const LIKE_COLUMNS = ['post_id', 'user_id', 'active', 'rev', 'liked_at'];
// So are its posts and comments never written (but for the count-only rows, deferred): the
// columns of UPSERT_POSTS and UPSERT_COMMENTS, their text[] fields as array literals.
const POST_COLUMNS = ['id', 'author_id', 'caption', 'hashtags', 'mentions', 'caption_rev', 'media', 'location', 'created_at', 'deleted_at', 'like_count', 'comment_count', 'share_count'];
const COMMENT_COLUMNS = ['id', 'post_id', 'author_id', 'parent_id', 'text', 'mentions', 'created_at', 'deleted_at', 'reply_count'];
const storedAsGiven = (at: string | null | undefined) => at === null || at === undefined || MILLISECOND_TIME.test(at);
const asIs = (row: Record<string, unknown>) => row;
const withTextArrays =
  (...fields: string[]) =>
  (row: Record<string, unknown>): Record<string, unknown> => {
    const copied = { ...row };
    for (const field of fields) copied[field] = textArrayField(row[field] as string[] | null | undefined);
    return copied;
  };

const keysOf = (...maps: Map<string, unknown>[]) => [...new Set(maps.flatMap((map) => [...map.keys()]))];

const userRows = (changes: BatchChanges, deltas: CountDeltas) =>
  keysOf(changes.users, deltas.users).map((id) => {
    const change = changes.users.get(id);
    const counts = deltas.users.get(id);
    return {
      id,
      username: change?.state?.value === 'erased' ? undefined : change?.username,
      registered_at: change?.registeredAt,
      display_name: change?.displayName?.value,
      display_name_rev: change?.displayName?.rev ?? -1,
      bio: change?.bio?.value,
      bio_rev: change?.bio?.rev ?? -1,
      private: change?.private?.value,
      private_rev: change?.private?.rev ?? -1,
      avatar: change?.avatar?.value,
      avatar_rev: change?.avatar?.rev ?? -1,
      verified: change?.verified?.value,
      verified_rev: change?.verified?.rev ?? -1,
      state: change?.state?.value,
      state_rev: change?.state?.rev ?? -1,
      follower_count: counts?.followers ?? 0,
      following_count: counts?.following ?? 0,
      post_count: counts?.posts ?? 0,
    };
  });

const commentRows = (changes: BatchChanges, deltas: CountDeltas) =>
  keysOf(changes.comments, deltas.replies).map((id) => {
    const change = changes.comments.get(id);
    return {
      id,
      post_id: change?.postId,
      author_id: change?.authorId,
      parent_id: change?.parentId,
      text: change?.text,
      mentions: change?.mentions,
      created_at: change?.createdAt,
      deleted_at: change?.deletedAt,
      reply_count: deltas.replies.get(id) ?? 0,
    };
  });

/**
 * `written`: what a generation being built has written so far (stored-state.ts); while it is
 * open, rows that only move counters go to the deferred deltas (deferred-counts.ts).
 */
export const writeProfileChanges = async (db: pg.PoolClient, changes: BatchChanges, written?: WrittenRows): Promise<void> => {
  const stored = await readStoredState(db, changes, written);
  const deltas = countDeltas(changes, stored);
  const deferring = written?.open ?? false;
  /**
   * Writes `rows` of a counted table: whole, or, while deferring, the count-only ones to its
   * deltas, and those never stored (`appended`) with COPY.
   */
  const writeCounted = async <Row extends { id: string }>(
    statement: string,
    table: 'users' | 'posts' | 'comments',
    rows: readonly Row[],
    changed: Map<string, unknown>,
    appended?: { unstored: ReadonlySet<string>; columns: readonly string[]; times: readonly (keyof Row)[]; toColumns: (row: Row) => Record<string, unknown> },
  ) => {
    if (!deferring) return upsertRows(db, statement, rows);
    const whole = rows.filter((row) => changed.has(row.id));
    const appendable = (row: Row) => appended!.unstored.has(row.id) && appended!.times.every((time) => storedAsGiven(row[time] as string | null | undefined));
    await upsertRows(db, statement, appended ? await appendWhere(db, table, appended.columns, whole, { appendable, toColumns: appended.toColumns, order: byFields<Row>('id') }) : whole);
    await deferCounts(db, table, rows.filter((row) => !changed.has(row.id)));
  };
  await writeCounted(UPSERT_USERS, 'users', userRows(changes, deltas), changes.users);
  await writeCounted(
    UPSERT_POSTS,
    'posts',
    postRows(changes, deltas, (change) => ({ mentions: change?.caption?.value.mentions, media: change?.media, location: locationCard(change?.location) })),
    changes.posts,
    { unstored: stored.unstored.posts, columns: POST_COLUMNS, times: ['created_at', 'deleted_at'], toColumns: withTextArrays('hashtags', 'mentions') },
  );
  await writeCounted(UPSERT_COMMENTS, 'comments', commentRows(changes, deltas), changes.comments, {
    unstored: stored.unstored.comments,
    columns: COMMENT_COLUMNS,
    times: ['created_at', 'deleted_at'],
    toColumns: withTextArrays('mentions'),
  });
  await upsertRows(db, INSERT_SHARES, deltas.shares.map((s) => ({ story_id: s.storyId, post_id: s.postId, sharer_id: s.sharerId, shared_at: s.at })));
  const follows = deltas.follows.map((f) => ({
    follower_id: f.followerId,
    followee_id: f.followeeId,
    status: f.status,
    rev: f.rev,
    requested_at: f.requestedAt,
    followed_at: f.followedAt,
  }));
  const unstoredFollow = (row: (typeof follows)[number]) =>
    stored.unstored.follows.has(pairKey(row.follower_id, row.followee_id)) && storedAsGiven(row.requested_at) && storedAsGiven(row.followed_at);
  await upsertRows(db, UPSERT_FOLLOWS, await appendWhere(db, 'follows', FOLLOW_COLUMNS, follows, { appendable: unstoredFollow, toColumns: asIs, order: byFields('follower_id', 'followee_id') }));
  await upsertRows(
    db,
    UPSERT_BLOCKS,
    [...changes.blocks.values()].map((b) => ({ blocker_id: b.blockerId, blocked_id: b.blockedId, active: b.active, rev: b.rev, blocked_at: b.blockedAt })),
  );
  await upsertRows(
    db,
    UPSERT_MUTES,
    [...changes.mutes.values()].map((m) => ({ muter_id: m.muterId, muted_id: m.mutedId, active: m.active, rev: m.rev, muted_at: m.mutedAt })),
  );
  await upsertRows(
    db,
    UPSERT_HASHTAG_FOLLOWS,
    [...changes.hashtagFollows.values()].map((h) => ({ user_id: h.userId, tag: h.tag, active: h.active, rev: h.rev, followed_at: h.followedAt })),
  );
  const likes = deltas.likes.map((l) => ({ post_id: l.postId, user_id: l.userId, active: l.active, rev: l.rev, liked_at: l.at }));
  const unstoredLike = (row: (typeof likes)[number]) => stored.unstored.likes.has(pairKey(row.post_id, row.user_id)) && storedAsGiven(row.liked_at);
  await upsertRows(db, UPSERT_LIKES, await appendWhere(db, 'likes', LIKE_COLUMNS, likes, { appendable: unstoredLike, toColumns: asIs, order: byFields('post_id', 'user_id') }));
  await upsertRows(
    db,
    UPSERT_BOOKMARKS,
    [...changes.bookmarks.values()].map((b) => ({ user_id: b.userId, post_id: b.postId, active: b.active, rev: b.rev, bookmarked_at: b.at })),
  );
  await upsertRows(
    db,
    UPSERT_COLLECTIONS,
    [...changes.collections.values()].map((c) => ({
      id: c.id,
      owner_id: c.ownerId,
      name: c.name?.value,
      name_rev: c.name?.rev ?? -1,
      created_at: c.createdAt,
      deleted_at: c.deletedAt,
    })),
  );
  await upsertRows(
    db,
    UPSERT_COLLECTION_POSTS,
    [...changes.collectionPosts.values()].map((c) => ({
      collection_id: c.collectionId,
      post_id: c.postId,
      owner_id: c.ownerId,
      active: c.active,
      rev: c.rev,
      added_at: c.at,
    })),
  );
  await upsertRows(
    db,
    UPSERT_POST_TAGS,
    [...changes.postTags.values()].map((t) => ({
      post_id: t.postId,
      user_id: t.userId,
      author_id: t.authorId,
      positions: t.positions,
      active: t.active,
      rev: t.rev,
      tagged_at: t.at,
    })),
  );
};
