import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaItem, RecordedEvent, UploadedMediaItem } from '../../../events/index.js';
import { createProfilesProjection, createProfilesReader, type ProfilesReader } from '../../../projections/profiles/index.js';
import { addDeferredCounts } from '../../../projections/profiles/deferred-counts.js';
import type { StateTable } from '../../../projections/profiles/stored-state.js';
import { PROFILES_TABLES } from '../../../projections/profiles/schema.js';
import { WrittenKeys } from '../../../projections/runtime/written-keys.js';
import { decayedAffinity, RANKING } from '../../../projections/feed/ranking.js';
import { assertEndsEqualToFold } from '../../support/fold-property.js';
import { anyHistory, anyInterleaving, type HistoryEvent } from '../../support/history-arbitraries.js';
import { applyEvents, applyInPartitions, crashThenResume, poolFailingAt } from '../../support/projection-harness.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { allPages } from '../../support/all-pages.js';

// The profiles read model against a fold of the history: for random valid histories, what the
// reader answers (profiles and counts, follower lists, requests, relationships, access, hydrated
// posts with their items' tags, the posts each person is tagged in, comment threads, likers, bookmarks, collections with their counts, covers and posts; every list read one item a page, so cursors are
// exercised) equals what a plain in-memory model of the same events says, however the log
// interleaves streams, however it is cut into batches, after a crash mid-batch and a resume, split
// over two partitioned instances, and applied twice; with the ranked feed's affinity sources and
// the decayed affinity read from them. Accounts in their deletion grace are listed
// to nobody but themselves, and erased ones are blank rows whose username is free again.

// ---- the reference model: sets and maps folded from the history -------------------------------

interface Model {
  users: Map<
    string,
    {
      id: string;
      username: string;
      displayName: string;
      bio: string;
      private: boolean;
      avatar: UploadedMediaItem | null;
      registeredAt: string;
      state: 'active' | 'deleting' | 'erased';
      verified: boolean;
    }
  >;
  follows: Map<string, { followerId: string; followeeId: string; status: 'none' | 'requested' | 'following'; requestedAt: string; followedAt: string }>;
  blocks: Set<string>;
  mutes: Set<string>;
  posts: Map<
    string,
    {
      id: string;
      authorId: string;
      caption: string;
      hashtags: string[];
      mentions: string[];
      /** As stored, without tags. */
      media: MediaItem[];
      /** Per item, the tags as created (ids), in order; `untagged` the people taken off since. */
      tags: { userId: string; x: number; y: number }[][];
      untagged: Set<string>;
      location?: { id: string; name: string };
      createdAt: string;
      deleted: boolean;
    }
  >;
  comments: Map<string, { id: string; postId: string; authorId: string; parentId: string | null; text: string; createdAt: string; deleted: boolean }>;
  likes: Map<string, { postId: string; userId: string; at: string }>;
  bookmarks: Map<string, { userId: string; postId: string; at: string }>;
  /** Shares to stories, by story: each counts once, whatever becomes of its story. */
  shares: Map<string, string>;
  /** Every collection ever created; `posts` maps each filed post to when it was (last) added. */
  collections: Map<string, { id: string; ownerId: string; name: string; createdAt: string; deleted: boolean; posts: Map<string, string> }>;
  /** The ranked feed's affinity sources by stream id (projections/profiles/affinity.ts), self-interactions left out. */
  affinity: Map<string, { viewerId: string; authorId: string; weight: number; at: string; active: boolean }>;
}

const pair = (a: string, b: string) => `${a}|${b}`;

const foldModel = (history: readonly HistoryEvent[]): Model => {
  const m: Model = {
    users: new Map(),
    follows: new Map(),
    blocks: new Set(),
    mutes: new Set(),
    posts: new Map(),
    comments: new Map(),
    likes: new Map(),
    bookmarks: new Map(),
    collections: new Map(),
    affinity: new Map(),
    shares: new Map(),
  };
  const interacted = (streamId: string, viewerId: string, authorId: string, weight: number, at: string) => {
    if (viewerId !== authorId) m.affinity.set(streamId, { viewerId, authorId, weight, at, active: true });
  };
  const undone = (streamId: string) => {
    const source = m.affinity.get(streamId);
    if (source) source.active = false;
  };
  const setFollow = (followerId: string, followeeId: string, status: 'none' | 'requested' | 'following', at?: string) => {
    const current = m.follows.get(pair(followerId, followeeId)) ?? { followerId, followeeId, status, requestedAt: '', followedAt: '' };
    current.status = status;
    if (status === 'requested') current.requestedAt = at!;
    if (status === 'following') current.followedAt = at!;
    m.follows.set(pair(followerId, followeeId), current);
  };
  for (const event of history) {
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, username, displayName, registeredAt } = event.data;
        m.users.set(userId, { id: userId, username, displayName, bio: '', private: false, avatar: null, registeredAt, state: 'active', verified: false });
        break;
      }
      case 'AccountDeletionRequested':
        m.users.get(event.data.userId)!.state = 'deleting';
        break;
      case 'AccountRestored':
        m.users.get(event.data.userId)!.state = 'active';
        break;
      case 'AccountErased':
        Object.assign(m.users.get(event.data.userId)!, { state: 'erased', displayName: '', bio: '', avatar: null, verified: false });
        for (const [id, source] of m.affinity) if (source.viewerId === event.data.userId || source.authorId === event.data.userId) m.affinity.delete(id);
        break;
      case 'ProfileUpdated': {
        const user = m.users.get(event.data.userId)!;
        if (event.data.displayName !== undefined) user.displayName = event.data.displayName;
        if (event.data.bio !== undefined) user.bio = event.data.bio;
        break;
      }
      case 'PrivacyChanged':
        m.users.get(event.data.userId)!.private = event.data.private;
        break;
      case 'AvatarChanged':
        m.users.get(event.data.userId)!.avatar = event.data.avatar;
        break;
      case 'VerifiedChanged':
        m.users.get(event.data.userId)!.verified = event.data.verified;
        break;
      case 'FollowRequested':
        setFollow(event.data.followerId, event.data.followeeId, 'requested', event.data.requestedAt);
        break;
      case 'Followed':
        setFollow(event.data.followerId, event.data.followeeId, 'following', event.data.followedAt);
        break;
      case 'FollowRequestApproved':
      case 'FollowRequestRejected':
      case 'FollowRequestCancelled':
      case 'Unfollowed':
        setFollow(event.data.followerId, event.data.followeeId, 'none');
        break;
      case 'Blocked':
        m.blocks.add(pair(event.data.blockerId, event.data.blockedId));
        break;
      case 'Unblocked':
        m.blocks.delete(pair(event.data.blockerId, event.data.blockedId));
        break;
      case 'Muted':
        m.mutes.add(pair(event.data.muterId, event.data.mutedId));
        break;
      case 'Unmuted':
        m.mutes.delete(pair(event.data.muterId, event.data.mutedId));
        break;
      case 'PostCreated': {
        const { postId, authorId, caption, hashtags, mentions, media, createdAt, location } = event.data;
        m.posts.set(postId, {
          id: postId,
          authorId,
          caption,
          hashtags,
          mentions,
          media: media.map(({ tags: _tags, ...item }) => item),
          tags: media.map((item) => item.tags ?? []),
          untagged: new Set(),
          ...(location && { location: { id: location.id, name: location.name } }),
          createdAt,
          deleted: false,
        });
        break;
      }
      case 'CaptionEdited':
        Object.assign(m.posts.get(event.data.postId)!, { caption: event.data.caption, hashtags: event.data.hashtags, mentions: event.data.mentions });
        break;
      case 'PostDeleted':
        m.posts.get(event.data.postId)!.deleted = true;
        break;
      case 'TagRemoved':
        m.posts.get(event.data.postId)!.untagged.add(event.data.userId);
        break;
      case 'CommentAdded': {
        const { commentId, postId, authorId, parentCommentId, text, createdAt } = event.data;
        m.comments.set(commentId, { id: commentId, postId, authorId, parentId: parentCommentId, text, createdAt, deleted: false });
        interacted(event.streamId, authorId, event.data.postAuthorId, RANKING.AFFINITY_COMMENT, createdAt);
        break;
      }
      case 'CommentDeleted':
        m.comments.get(event.data.commentId)!.deleted = true;
        undone(event.streamId);
        break;
      case 'Liked':
        m.likes.set(pair(event.data.postId, event.data.userId), { postId: event.data.postId, userId: event.data.userId, at: event.data.likedAt });
        interacted(event.streamId, event.data.userId, event.data.postAuthorId, RANKING.AFFINITY_LIKE, event.data.likedAt);
        break;
      case 'Unliked':
        m.likes.delete(pair(event.data.postId, event.data.userId));
        undone(event.streamId);
        break;
      case 'StoryViewed':
        interacted(event.streamId, event.data.viewerId, event.data.authorId, RANKING.AFFINITY_STORY_VIEW, event.data.viewedAt);
        break;
      case 'Bookmarked':
        m.bookmarks.set(pair(event.data.userId, event.data.postId), { userId: event.data.userId, postId: event.data.postId, at: event.data.bookmarkedAt });
        break;
      case 'Unbookmarked':
        m.bookmarks.delete(pair(event.data.userId, event.data.postId));
        break;
      case 'StoryPosted':
        if (event.data.sharedPost) m.shares.set(event.data.storyId, event.data.sharedPost.postId);
        break;
      case 'CollectionCreated': {
        const { collectionId, ownerId, name, createdAt } = event.data;
        m.collections.set(collectionId, { id: collectionId, ownerId, name, createdAt, deleted: false, posts: new Map() });
        break;
      }
      case 'CollectionRenamed':
        m.collections.get(event.data.collectionId)!.name = event.data.name;
        break;
      case 'CollectionDeleted':
        m.collections.get(event.data.collectionId)!.deleted = true;
        break;
      case 'PostAddedToCollection':
        m.collections.get(event.data.collectionId)!.posts.set(event.data.postId, event.data.addedAt);
        break;
      case 'PostRemovedFromCollection':
        m.collections.get(event.data.collectionId)!.posts.delete(event.data.postId);
        break;
      default:
        break;
    }
  }
  return m;
};

// ---- what the read model should answer, in the reader's shapes ---------------------------------

/** A day after the latest interaction, so the decay is exercised; affinities compared to 9 decimals (SQL's float8 against JavaScript's). */
const affinityInstant = (m: Model) => Math.max(0, ...[...m.affinity.values()].map((source) => Date.parse(source.at))) + 24 * 3_600_000;
const rounded = (value: number) => Math.round(value * 1e9) / 1e9;

/** Newest first, ties by id descending: the order of every "newest first" list. */
const newestFirst = <T>(items: T[], time: (item: T) => string, id: (item: T) => string) =>
  [...items].sort((a, b) => Date.parse(time(b)) - Date.parse(time(a)) || (id(b) > id(a) ? 1 : id(b) < id(a) ? -1 : 0));
const oldestFirst = <T>(items: T[], time: (item: T) => string, id: (item: T) => string) => newestFirst(items, time, id).reverse();

const summary = (m: Model, id: string) => {
  const user = m.users.get(id)!;
  return { id, username: user.username, displayName: user.displayName, private: user.private, avatar: user.avatar };
};

/** Listed to everyone: neither in the deletion grace nor erased (projections/profiles/access-sql.ts LISTED). */
const listed = (m: Model, id: string) => m.users.get(id)?.state === 'active';
/** Listed, or the viewer's own account while it is not erased (LISTED_FOR). */
const listedFor = (m: Model, viewer: string, id: string) => listed(m, id) || (viewer === id && m.users.get(id)?.state === 'deleting');

const following = (m: Model, follower: string, followee: string) => m.follows.get(pair(follower, followee))?.status === 'following';
const blockedEitherWay = (m: Model, a: string, b: string) => m.blocks.has(pair(a, b)) || m.blocks.has(pair(b, a));
const access = (m: Model, viewer: string, author: string) => {
  if (!listedFor(m, viewer, author)) return 'unknown';
  if (viewer === author) return 'allowed';
  if (blockedEitherWay(m, viewer, author)) return 'blocked';
  if (m.users.get(author)!.private && !following(m, viewer, author)) return 'private';
  return 'allowed';
};

const expectedSnapshot = (m: Model) => {
  const users = [...m.users.keys()];
  const follows = [...m.follows.values()];
  const livePosts = [...m.posts.values()].filter((p) => !p.deleted);
  const shownTo = (viewer: string) => (p: { authorId: string }) => listedFor(m, viewer, p.authorId);
  const liveComments = [...m.comments.values()].filter((c) => !c.deleted);
  const hydrate = (viewer: string) => (p: Model['posts'] extends Map<string, infer P> ? P : never) => ({
    id: p.id,
    author: summary(m, p.authorId),
    caption: p.caption,
    hashtags: p.hashtags,
    mentions: p.mentions,
    // docs/rules.md "User tags": the standing tags of listed people, by username, in the author's order;
    // "Who may see whom": none of someone a block stands between with the viewer, either way.
    media: p.media.map((item, index) => {
      const shown = p.tags[index]!.filter((tag) => !p.untagged.has(tag.userId) && listed(m, tag.userId) && !blockedEitherWay(m, viewer, tag.userId)).map((tag) => ({ username: m.users.get(tag.userId)!.username, x: tag.x, y: tag.y }));
      return shown.length > 0 ? { ...item, tags: shown } : item;
    }),
    ...(p.location && { location: p.location }),
    createdAt: p.createdAt,
    likeCount: [...m.likes.values()].filter((l) => l.postId === p.id).length,
    commentCount: liveComments.filter((c) => c.postId === p.id).length,
    shareCount: [...m.shares.values()].filter((postId) => postId === p.id).length,
    likedByMe: m.likes.has(pair(p.id, viewer)),
    bookmarkedByMe: m.bookmarks.has(pair(viewer, p.id)),
  });
  const commentView = (c: Model['comments'] extends Map<string, infer C> ? C : never) => ({
    id: c.id,
    postId: c.postId,
    parentId: c.parentId,
    author: summary(m, c.authorId),
    text: c.text,
    createdAt: c.createdAt,
    replyCount: liveComments.filter((r) => r.parentId === c.id).length,
  });
  const perUser = <T>(f: (id: string) => T) => Object.fromEntries(users.map((id) => [id, f(id)]));
  const perPair = <T>(f: (a: string, b: string) => T) => Object.fromEntries(users.flatMap((a) => users.map((b) => [`${a}>${b}`, f(a, b)])));
  const active = (status: string) => follows.filter((f) => f.status === status);
  const holder = (username: string) => [...m.users.values()].find((u) => u.username === username && u.state !== 'erased');
  const now = affinityInstant(m);
  // docs/rules.md "Collections": a collection shows the posts filed in it that its owner still
  // bookmarks, live, by an author the owner may see now; newest added first.
  const shownIn = (c: Model['collections'] extends Map<string, infer C> ? C : never) =>
    newestFirst(
      [...c.posts].filter(([postId]) => {
        const post = m.posts.get(postId)!;
        return m.bookmarks.has(pair(c.ownerId, postId)) && !post.deleted && access(m, c.ownerId, post.authorId) === 'allowed';
      }),
      ([, addedAt]) => addedAt,
      ([postId]) => postId,
    ).map(([postId]) => m.posts.get(postId)!);
  const liveCollections = [...m.collections.values()].filter((c) => !c.deleted);
  return {
    collections: perUser((owner) =>
      newestFirst(liveCollections.filter((c) => c.ownerId === owner), (c) => c.createdAt, (c) => c.id).map((c) => {
        const shown = shownIn(c);
        const cover = shown[0];
        return {
          id: c.id,
          name: c.name,
          postCount: shown.length,
          cover: cover ? { item: cover.media[0], author: { private: m.users.get(cover.authorId)!.private } } : null,
        };
      }),
    ),
    collection: Object.fromEntries(
      [...m.collections.values()].map((c) => [
        c.id,
        {
          own: c.deleted ? null : { id: c.id, name: c.name, postCount: shownIn(c).length },
          posts: c.deleted ? [] : shownIn(c).map(hydrate(c.ownerId)),
          stranger: null,
          strangerPosts: [],
        },
      ]),
    ),
    // Every source row as stored, and each viewer's decayed affinity with every author at one instant (ranking.ts's TypeScript form).
    affinitySources: Object.fromEntries([...m.affinity].map(([id, source]) => [id, source])),
    affinity: perUser((viewer) =>
      Object.fromEntries(
        users.flatMap((author) => {
          const sources = [...m.affinity.values()].filter((source) => source.active && source.viewerId === viewer && source.authorId === author);
          return sources.length === 0 ? [] : [[author, rounded(sources.reduce((sum, source) => sum + decayedAffinity(source.weight, Date.parse(source.at), now), 0))]];
        }),
      ),
    ),
    // By every username ever registered: the account holding it now (an erased one holds none).
    profiles: Object.fromEntries(
      [...new Set([...m.users.values()].map((u) => u.username))].map((username) => {
        const user = holder(username);
        if (!user) return [username, null];
        const { state: _state, ...profile } = user;
        const id = user.id;
        return [
          username,
          {
            ...profile,
        followerCount: active('following').filter((f) => f.followeeId === id).length,
        followingCount: active('following').filter((f) => f.followerId === id).length,
            postCount: livePosts.filter((p) => p.authorId === id).length,
          },
        ];
      }),
    ),
    // Every account's lifecycle register; an erased row is blank, its username gone.
    rows: perUser((id) => {
      const user = m.users.get(id)!;
      const erased = user.state === 'erased';
      return { state: user.state, username: erased ? null : user.username, displayName: user.displayName, bio: user.bio, avatar: user.avatar };
    }),
    followers: perUser((id) =>
      newestFirst(active('following').filter((f) => f.followeeId === id && listed(m, f.followerId)), (f) => f.followedAt, (f) => f.followerId).map((f) =>
        summary(m, f.followerId),
      ),
    ),
    following: perUser((id) =>
      newestFirst(active('following').filter((f) => f.followerId === id && listed(m, f.followeeId)), (f) => f.followedAt, (f) => f.followeeId).map((f) =>
        summary(m, f.followeeId),
      ),
    ),
    followingIds: perUser((id) => active('following').filter((f) => f.followerId === id).map((f) => f.followeeId).sort()),
    // The stories tray's authors: followed, not muted.
    unmutedFollowingIds: perUser((id) =>
      active('following')
        .filter((f) => f.followerId === id && !m.mutes.has(pair(id, f.followeeId)))
        .map((f) => f.followeeId)
        .sort(),
    ),
    requests: perUser((id) =>
      newestFirst(active('requested').filter((f) => f.followeeId === id && listed(m, f.followerId)), (f) => f.requestedAt, (f) => f.followerId).map((f) => ({
        ...summary(m, f.followerId),
        requestedAt: f.requestedAt,
      })),
    ),
    relationships: perPair((a, b) => ({
      following: following(m, a, b),
      requested: m.follows.get(pair(a, b))?.status === 'requested',
      followedBy: following(m, b, a),
      blockedEitherWay: blockedEitherWay(m, a, b),
      muting: m.mutes.has(pair(a, b)),
    })),
    access: perPair((a, b) => access(m, a, b)),
    visibleAuthors: perUser((viewer) => users.filter((author) => access(m, viewer, author) === 'allowed').sort()),
    // Every post ever created, asked for in creation order: deleted ones and those of unlisted authors (but the viewer's own) must be skipped.
    posts: perUser((viewer) => livePosts.filter(shownTo(viewer)).map(hydrate(viewer))),
    userPosts: perUser((author) =>
      newestFirst(livePosts.filter((p) => p.authorId === author).filter(shownTo(author)), (p) => p.createdAt, (p) => p.id).map(hydrate(author)),
    ),
    // The live posts each person stands tagged in whose author they may see, newest first.
    tagged: perUser((user) =>
      newestFirst(
        livePosts.filter((p) => p.tags.some((item) => item.some((tag) => tag.userId === user)) && !p.untagged.has(user) && access(m, user, p.authorId) === 'allowed'),
        (p) => p.createdAt,
        (p) => p.id,
      ).map(hydrate(user)),
    ),
    bookmarks: perUser((user) =>
      newestFirst(
        [...m.bookmarks.values()].filter((b) => b.userId === user && !m.posts.get(b.postId)!.deleted && shownTo(user)(m.posts.get(b.postId)!)),
        (b) => b.at,
        (b) => b.postId,
      ).map((b) => hydrate(user)(m.posts.get(b.postId)!)),
    ),
    likes: Object.fromEntries(
      [...m.posts.keys()].map((post) => [
        post,
        newestFirst([...m.likes.values()].filter((l) => l.postId === post && listed(m, l.userId)), (l) => l.at, (l) => l.userId).map((l) => summary(m, l.userId)),
      ]),
    ),
    topComments: Object.fromEntries(
      [...m.posts.keys()].map((post) => [
        post,
        oldestFirst(liveComments.filter((c) => c.postId === post && c.parentId === null && listed(m, c.authorId)), (c) => c.createdAt, (c) => c.id).map(commentView),
      ]),
    ),
    // Replies of every comment, deleted ones included: replies stay reachable by the parent's id.
    replies: Object.fromEntries(
      [...m.comments.values()].map((parent) => [
        parent.id,
        oldestFirst(liveComments.filter((c) => c.parentId === parent.id && listed(m, c.authorId)), (c) => c.createdAt, (c) => c.id).map(commentView),
      ]),
    ),
  };
};

// ---- what the read model answers ---------------------------------------------------------------


const actualSnapshot = async (reader: ProfilesReader, m: Model, pool: TestDatabase['pool']) => {
  const users = [...m.users.keys()];
  const postIds = [...m.posts.keys()];
  const perUser = async <T>(f: (id: string) => Promise<T>) => Object.fromEntries(await Promise.all(users.map(async (id) => [id, await f(id)] as const)));
  const perPair = async <T>(f: (a: string, b: string) => Promise<T>) =>
    Object.fromEntries(await Promise.all(users.flatMap((a) => users.map(async (b) => [`${a}>${b}`, await f(a, b)] as const))));
  const perKey = async <T>(keys: string[], f: (key: string) => Promise<T>) => Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await f(k)] as const)));
  const now = affinityInstant(m);
  const collections = [...m.collections.values()];
  const strangerTo = (ownerId: string) => users.find((id) => id !== ownerId)!;
  return {
    collections: await perUser((owner) => allPages((page) => reader.collections(owner, page))),
    collection: Object.fromEntries(
      await Promise.all(
        collections.map(async (c) => [
          c.id,
          {
            own: await reader.collection(c.ownerId, c.id),
            posts: await allPages((page) => reader.collectionPosts(c.ownerId, c.id, page)),
            stranger: await reader.collection(strangerTo(c.ownerId), c.id),
            strangerPosts: await allPages((page) => reader.collectionPosts(strangerTo(c.ownerId), c.id, page)),
          },
        ]),
      ),
    ),
    affinitySources: Object.fromEntries(
      (
        await pool.query<{ source_id: string; viewer_id: string; author_id: string; weight: number; at: Date; active: boolean }>(
          'select source_id, viewer_id, author_id, weight, at, active from affinity_sources',
        )
      ).rows.map((r) => [r.source_id, { viewerId: r.viewer_id, authorId: r.author_id, weight: r.weight, at: r.at.toISOString(), active: r.active }]),
    ),
    affinity: await perUser(async (viewer) =>
      Object.fromEntries([...(await reader.affinity(viewer, users, new Date(now)))].map(([author, value]) => [author, rounded(value)])),
    ),
    profiles: await perKey([...new Set([...m.users.values()].map((u) => u.username))], (username) => reader.userByUsername(username)),
    rows: Object.fromEntries(
      (
        await pool.query<{ id: string; state: string; username: string | null; display_name: string; bio: string; avatar: UploadedMediaItem | null }>(
          'select id, state, username, display_name, bio, avatar from users where id = any($1::uuid[])',
          [users],
        )
      ).rows.map((r) => [r.id, { state: r.state, username: r.username, displayName: r.display_name, bio: r.bio, avatar: r.avatar }]),
    ),
    followers: await perUser((id) => allPages((page) => reader.followers(id, page))),
    following: await perUser((id) => allPages((page) => reader.following(id, page))),
    followingIds: await perUser(async (id) => (await reader.followingIds(id)).sort()),
    unmutedFollowingIds: await perUser(async (id) => (await reader.followingIds(id, { withoutMuted: true })).sort()),
    requests: await perUser((id) => allPages((page) => reader.followRequests(id, page))),
    relationships: await perPair((a, b) => reader.relationship(a, b)),
    access: await perPair((a, b) => reader.canSee(a, b)),
    visibleAuthors: await perUser(async (viewer) => [...(await reader.visibleAuthors(viewer, users))].sort()),
    posts: await perUser((viewer) => reader.posts(postIds, viewer)),
    userPosts: await perUser((author) => allPages((page) => reader.userPosts(author, author, page))),
    tagged: await perUser((user) => allPages((page) => reader.taggedPosts(user, user, page))),
    bookmarks: await perUser((user) => allPages((page) => reader.bookmarks(user, page))),
    likes: await perKey(postIds, (post) => allPages((page) => reader.likes(post, page))),
    topComments: await perKey(postIds, (post) => allPages((page) => reader.comments(post, { parentId: null }, page))),
    replies: await perKey([...m.comments.keys()], (parent) =>
      allPages((page) => reader.comments(m.comments.get(parent)!.postId, { parentId: parent }, page)),
    ),
  };
};

// ---- the properties ----------------------------------------------------------------------------

let db: TestDatabase;
let reader: ProfilesReader;

beforeAll(async () => {
  db = await createTestDatabase();
  await createProfilesProjection(db.pool).setup();
  reader = createProfilesReader(db.pool);
});
afterAll(async () => {
  await db.drop();
});

const reset = () => db.pool.query(`truncate ${PROFILES_TABLES.join(', ')}, projection_checkpoints`);

/** A history, and another order the log could hold it in (each stream's order kept). */
const anyLog = anyHistory({ maxIntents: 40 }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history)));
const anyBatchSize = fc.integer({ min: 1, max: 25 });
// Shrinking a failure against a real database is slow: stop it in time to report what it has.
const runs = { numRuns: 25, interruptAfterTimeLimit: 40_000 };

const check = async (history: readonly HistoryEvent[]) => {
  const model = foldModel(history);
  expect(await actualSnapshot(reader, model, db.pool)).toEqual(expectedSnapshot(model));
};

const endsEqualToFold = <T>(inputs: fc.Arbitrary<T>, apply: (events: RecordedEvent[], input: T) => Promise<unknown>) =>
  assertEndsEqualToFold({ anyLog, reset, check, runs }, inputs, apply);

describe('profiles projection: the read model equals a fold of the history', () => {
  it('for any interleaving of streams and any batch size, the read model equals the fold of the history', () =>
    endsEqualToFold(anyBatchSize, (events, batchSize) => applyEvents(createProfilesProjection(db.pool), events, { batchSize })));

  it('a crash at any query of any batch, then a resume from the checkpoint, ends equal to the fold', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, fc.integer({ min: 1, max: 60 })), (events, [batchSize, failAt]) =>
      crashThenResume(createProfilesProjection(poolFailingAt(db.pool, failAt)), createProfilesProjection(db.pool), events, { batchSize }),
    ));

  it('two partitioned instances applying concurrently, each its own streams, end equal to the fold', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, anyBatchSize), (events, sizes) => applyInPartitions(createProfilesProjection(db.pool), events, sizes)));

  // A generation built from the start by one pass (mode 'build') reads back only the rows it
  // wrote (runtime/written-keys.ts), resumed by a new process it learns them from the tables, and
  // its count-only moves wait in deltas until the finish (deferred-counts.ts).
  const building = async (pool: TestDatabase['pool']) => {
    const projection = createProfilesProjection(pool, { mode: 'build', written: new WrittenKeys<StateTable>() });
    await projection.setup();
    return projection;
  };
  const anyLargeBatch = fc.integer({ min: 1, max: 200 });

  it('built alone from the start in large batches, knowing what it wrote, ends equal to the fold', () =>
    endsEqualToFold(anyLargeBatch, async (events, batchSize) => {
      await applyEvents(await building(db.pool), events, { batchSize, replay: true });
      await addDeferredCounts(db.pool);
    }));

  it('a build crashed at any query and resumed by a new instance ends equal to the fold', () =>
    endsEqualToFold(fc.tuple(anyLargeBatch, fc.integer({ min: 1, max: 40 })), async (events, [batchSize, failAt]) => {
      const resumed = await building(db.pool);
      const crashing = createProfilesProjection(poolFailingAt(db.pool, failAt), { mode: 'build', written: new WrittenKeys<StateTable>() });
      await crashThenResume(crashing, resumed, events, { batchSize, replay: true });
      await addDeferredCounts(db.pool);
    }));

  // Histories drawn mostly from what collections depend on (posts, bookmarks, blocks, privacy,
  // erasure), so that collections fill, empty and hide posts often enough to be checked.
  const collectionKinds = [
    'register', 'follow', 'block', 'unblock', 'changePrivacy', 'createPost', 'deletePost', 'bookmark', 'unbookmark',
    'createCollection', 'createCollection', 'renameCollection', 'deleteCollection', 'addToCollection', 'addToCollection', 'addToCollection', 'removeFromCollection',
    'requestDeletion', 'eraseAccount', 'tick',
  ] as const;
  const anyCollectionLog = anyHistory({ maxUsers: 3, minIntents: 10, maxIntents: 40, kinds: collectionKinds }).chain((history) =>
    fc.tuple(fc.constant(history), anyInterleaving(history)),
  );

  it('collections (created, renamed, filled, emptied, deleted; posts hidden by unbookmarks, blocks, privacy, erasure) equal the fold, in any batches and twice', () =>
    assertEndsEqualToFold({ anyLog: anyCollectionLog, reset, check, runs }, fc.tuple(anyBatchSize, anyBatchSize), async (events, [first, second]) => {
      const projection = createProfilesProjection(db.pool);
      await applyEvents(projection, events, { batchSize: first });
      await applyEvents(projection, events, { batchSize: second, checkpointKey: 'profiles-again', replay: true });
    }));

  // Histories drawn mostly from what user tags depend on (tagged posts, removals, deletions, blocks,
  // privacy, deletion and erasure of the tagged), so that cards' tags and /tagged change often.
  const tagKinds = [
    'register', 'follow', 'approveRequest', 'block', 'unblock', 'changePrivacy', 'tagPost', 'tagPost', 'tagPost', 'removeTag', 'removeTag', 'deletePost',
    'requestDeletion', 'restoreAccount', 'eraseAccount', 'tick',
  ] as const;
  const anyTagLog = anyHistory({ maxUsers: 4, minIntents: 10, maxIntents: 40, kinds: tagKinds }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history)));

  it('user tags (cards and /tagged: tagged, taken off, posts deleted, people blocked, private, deleting, erased) equal the fold, in any batches and twice', () =>
    assertEndsEqualToFold({ anyLog: anyTagLog, reset, check, runs }, fc.tuple(anyBatchSize, anyBatchSize), async (events, [first, second]) => {
      const projection = createProfilesProjection(db.pool);
      await applyEvents(projection, events, { batchSize: first });
      await applyEvents(projection, events, { batchSize: second, checkpointKey: 'profiles-again', replay: true });
    }));

  // Erasures need a deletion request and its grace to pass, rare in the histories above: these
  // are drawn from the intents that make affinity and end it, so erased accounts with
  // interactions both ways are common, in two partitioned instances (an erasure and a like of the
  // erased person's post applied at once by different instances).
  const affinityLog = anyHistory({
    minIntents: 30,
    maxIntents: 50,
    kinds: ['createPost', 'like', 'unlike', 'comment', 'deleteComment', 'postStory', 'viewStory', 'requestDeletion', 'eraseAccount', 'tick'],
  }).chain((history) => fc.tuple(fc.constant(history), anyInterleaving(history)));

  it('affinity sources of erased accounts go, as viewer and as author, however partitioned instances interleave', () =>
    assertEndsEqualToFold({ anyLog: affinityLog, reset, check, runs }, fc.tuple(anyBatchSize, anyBatchSize), (events, sizes) =>
      applyInPartitions(createProfilesProjection(db.pool), events, sizes),
    ));

  it('applying the whole history twice (a rebuild over a live model) changes nothing', () =>
    endsEqualToFold(fc.tuple(anyBatchSize, anyBatchSize), async (events, [first, second]) => {
      const projection = createProfilesProjection(db.pool);
      await applyEvents(projection, events, { batchSize: first });
      // Another checkpoint key starts from the beginning of the log over the same tables.
      await applyEvents(projection, events, { batchSize: second, checkpointKey: 'profiles-again', replay: true });
    }));
});
