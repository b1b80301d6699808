import type { EventsOf, EventType, MediaItem, PostLocation, RecordedEvent, UploadedMediaItem } from '../../events/index.js';
import type { FollowStatus } from '../../kernel/access.js';
import {
  accountLifecycleEvents,
  avatarEvents,
  blockEvents,
  bookmarkEvents,
  collectionEvents,
  commentEvents,
  followEvents,
  likeEvents,
  muteEvents,
  postEvents,
  profileEvents,
  shareEvents,
  tagEvents,
  verificationEvents,
} from './event-families.js';
import { everyTypeHandled } from './projection.js';

// The register fold, shared by the PostgreSQL read models that hold users, the graph and content
// (profiles; search's PostgreSQL store reads a subset of the same events): it folds a batch into
// one change per row, in memory, so that the batch becomes a handful of bulk statements
// (bulk-upsert.ts) instead of one per event. Every row is written by the events of ONE stream, and a
// stream's revision orders its events: a field that events overwrite is a last-writer-wins
// register tagged with the revision that wrote it, and the database keeps whichever revision is
// higher. That makes applying a batch twice, or an old batch after a newer one, change nothing.
// Facts that only ever get set once (creation, deletion) need no revision: they are kept once set.

/** The events the fold understands; a read model subscribing to some of them gets their changes. */
export const changeEventTypes = [
  ...profileEvents,
  ...accountLifecycleEvents,
  ...avatarEvents,
  ...verificationEvents,
  ...followEvents,
  ...blockEvents,
  ...muteEvents,
  ...postEvents,
  ...tagEvents,
  ...likeEvents,
  ...commentEvents,
  ...bookmarkEvents,
  ...shareEvents,
  ...collectionEvents,
] as const satisfies readonly EventType[];

export type ChangeEventType = (typeof changeEventTypes)[number];

/** A recorded event narrowed by `type`, so that `switch (event.type)` types its data. */
export type ChangeEvent = { [T in ChangeEventType]: RecordedEvent<EventsOf<T>> }[ChangeEventType];

export interface Register<T> {
  value: T;
  rev: number;
}

/** Where an account stands in its deletion lifecycle (domain/user/user.ts): listed only while active. */
export type AccountState = 'active' | 'deleting' | 'erased';

export interface UserChange {
  id: string;
  username?: string;
  /** The lifecycle register; 'erased' also blanks the row's username (written as null, never back). */
  state?: Register<AccountState>;
  registeredAt?: string;
  displayName?: Register<string>;
  bio?: Register<string>;
  private?: Register<boolean>;
  avatar?: Register<UploadedMediaItem | null>;
  verified?: Register<boolean>;
}

export interface FollowChange {
  followerId: string;
  followeeId: string;
  status: FollowStatus;
  rev: number;
  requestedAt: string | null;
  followedAt: string | null;
}

export interface BlockChange {
  blockerId: string;
  blockedId: string;
  active: boolean;
  rev: number;
  blockedAt: string | null;
}

export interface MuteChange {
  muterId: string;
  mutedId: string;
  active: boolean;
  rev: number;
  mutedAt: string | null;
}

export interface Caption {
  caption: string;
  hashtags: string[];
  mentions: string[];
}

export interface PostChange {
  id: string;
  authorId?: string;
  media?: MediaItem[];
  /** The location the post names (set once by PostCreated; null when it names none). */
  location?: PostLocation | null;
  createdAt?: string;
  caption?: Register<Caption>;
  deletedAt?: string;
}

export interface CommentChange {
  id: string;
  postId?: string;
  authorId?: string;
  parentId?: string | null;
  text?: string;
  mentions?: string[];
  createdAt?: string;
  deletedAt?: string;
}

/** Where one person is tagged on one item of a post: `item` its index, `order` the tag's place among the item's tags. */
export interface TagPosition {
  item: number;
  order: number;
  x: number;
  y: number;
}

/**
 * Whether a person is tagged on a post (the pair's row, written by the post's stream): where, and
 * since when. PostCreated sets it, TagRemoved ends it; the positions stay as last known.
 */
export interface PostTagChange {
  postId: string;
  userId: string;
  authorId: string;
  positions: TagPosition[] | null;
  active: boolean;
  rev: number;
  at: string | null;
}

/** Likes and bookmarks: whether the pair is in the set, and since when. */
export interface MembershipChange {
  postId: string;
  userId: string;
  active: boolean;
  rev: number;
  at: string | null;
}

/** A share of a post to a story (a StoryPosted with `sharedPost`): one per story, set once. */
export interface ShareChange {
  storyId: string;
  postId: string;
  sharerId: string;
  at: string;
}

/** A collection's row: set-once facts and the name register, all from its own stream. */
export interface CollectionChange {
  id: string;
  ownerId?: string;
  name?: Register<string>;
  createdAt?: string;
  deletedAt?: string;
}

/** Whether a post is filed in a collection, and since when (written by the collection's stream). */
export interface CollectionPostChange {
  collectionId: string;
  postId: string;
  ownerId: string;
  active: boolean;
  rev: number;
  at: string | null;
}

export interface BatchChanges {
  users: Map<string, UserChange>;
  follows: Map<string, FollowChange>;
  blocks: Map<string, BlockChange>;
  mutes: Map<string, MuteChange>;
  posts: Map<string, PostChange>;
  comments: Map<string, CommentChange>;
  likes: Map<string, MembershipChange>;
  bookmarks: Map<string, MembershipChange>;
  /** By story id. */
  shares: Map<string, ShareChange>;
  collections: Map<string, CollectionChange>;
  collectionPosts: Map<string, CollectionPostChange>;
  /** By pairKey(postId, userId). */
  postTags: Map<string, PostTagChange>;
}

export const pairKey = (a: string, b: string): string => `${a}|${b}`;

const entry = <T>(map: Map<string, T>, key: string, create: () => T): T => {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
};

/** Keeps the register with the higher revision. */
const newer = <T>(current: Register<T> | undefined, value: T, rev: number): Register<T> =>
  current !== undefined && current.rev >= rev ? current : { value, rev };

export const foldChanges = (events: readonly RecordedEvent[]): BatchChanges => {
  const changes: BatchChanges = {
    users: new Map(),
    follows: new Map(),
    blocks: new Map(),
    mutes: new Map(),
    posts: new Map(),
    comments: new Map(),
    likes: new Map(),
    bookmarks: new Map(),
    shares: new Map(),
    collections: new Map(),
    collectionPosts: new Map(),
    postTags: new Map(),
  };
  for (const event of events as readonly ChangeEvent[]) foldEvent(changes, event);
  return changes;
};

const foldEvent = (changes: BatchChanges, event: ChangeEvent): void => {
  const rev = event.streamRevision;
  const user = (id: string) => entry<UserChange>(changes.users, id, () => ({ id }));
  const post = (id: string) => entry<PostChange>(changes.posts, id, () => ({ id }));
  const comment = (id: string) => entry<CommentChange>(changes.comments, id, () => ({ id }));
  const follow = (followerId: string, followeeId: string, status: FollowStatus, times: { requestedAt?: string; followedAt?: string } = {}) => {
    const key = pairKey(followerId, followeeId);
    const current = changes.follows.get(key);
    if (current && current.rev >= rev) return;
    changes.follows.set(key, {
      followerId,
      followeeId,
      status,
      rev,
      requestedAt: times.requestedAt ?? current?.requestedAt ?? null,
      followedAt: times.followedAt ?? current?.followedAt ?? null,
    });
  };
  const collection = (id: string, ownerId: string) => {
    const row = entry<CollectionChange>(changes.collections, id, () => ({ id }));
    row.ownerId = ownerId;
    return row;
  };
  const filed = (data: { collectionId: string; postId: string; ownerId: string }, active: boolean, at: string | null) => {
    const key = pairKey(data.collectionId, data.postId);
    const current = changes.collectionPosts.get(key);
    if (current && current.rev >= rev) return;
    changes.collectionPosts.set(key, { ...data, active, rev, at: at ?? current?.at ?? null });
  };
  /** A tag's row: `positions` null ends it. */
  const tagged = (postId: string, userId: string, authorId: string, positions: TagPosition[] | null, at: string | null) => {
    const key = pairKey(postId, userId);
    const current = changes.postTags.get(key);
    if (current && current.rev >= rev) return;
    changes.postTags.set(key, { postId, userId, authorId, positions: positions ?? current?.positions ?? null, active: positions !== null, rev, at: at ?? current?.at ?? null });
  };
  const membership = (map: Map<string, MembershipChange>, postId: string, userId: string, active: boolean, at: string | null) => {
    const current = map.get(pairKey(postId, userId));
    if (current && current.rev >= rev) return;
    map.set(pairKey(postId, userId), { postId, userId, active, rev, at: at ?? current?.at ?? null });
  };

  switch (event.type) {
    case 'UserRegistered': {
      const { userId, username, displayName, registeredAt } = event.data;
      const row = user(userId);
      row.username = username;
      row.registeredAt = registeredAt;
      row.displayName = newer(row.displayName, displayName, rev);
      return;
    }
    case 'ProfileUpdated': {
      const row = user(event.data.userId);
      if (event.data.displayName !== undefined) row.displayName = newer(row.displayName, event.data.displayName, rev);
      if (event.data.bio !== undefined) row.bio = newer(row.bio, event.data.bio, rev);
      return;
    }
    case 'PrivacyChanged': {
      const row = user(event.data.userId);
      row.private = newer(row.private, event.data.private, rev);
      return;
    }
    case 'AccountDeletionRequested':
      user(event.data.userId).state = newer(user(event.data.userId).state, 'deleting', rev);
      return;
    case 'AccountRestored':
      user(event.data.userId).state = newer(user(event.data.userId).state, 'active', rev);
      return;
    // The last event of the stream: every personal register is blanked at its revision, so that no
    // earlier event applied again (a re-applied or late batch) brings a name, bio or avatar back.
    case 'AccountErased': {
      const row = user(event.data.userId);
      row.state = newer(row.state, 'erased', rev);
      row.displayName = newer(row.displayName, '', rev);
      row.bio = newer(row.bio, '', rev);
      row.avatar = newer(row.avatar, null, rev);
      row.verified = newer(row.verified, false, rev);
      return;
    }
    case 'AvatarChanged': {
      const row = user(event.data.userId);
      row.avatar = newer(row.avatar, event.data.avatar, rev);
      return;
    }
    case 'VerifiedChanged': {
      const row = user(event.data.userId);
      row.verified = newer(row.verified, event.data.verified, rev);
      return;
    }
    case 'FollowRequested':
      return follow(event.data.followerId, event.data.followeeId, 'requested', { requestedAt: event.data.requestedAt });
    // Approval closes the request; the Followed appended with it makes the follow.
    case 'FollowRequestApproved':
    case 'FollowRequestRejected':
    case 'FollowRequestCancelled':
    case 'Unfollowed':
      return follow(event.data.followerId, event.data.followeeId, 'none');
    case 'Followed':
      return follow(event.data.followerId, event.data.followeeId, 'following', { followedAt: event.data.followedAt });
    case 'Blocked':
    case 'Unblocked': {
      const { blockerId, blockedId } = event.data;
      const current = changes.blocks.get(pairKey(blockerId, blockedId));
      if (current && current.rev >= rev) return;
      const blockedAt = event.type === 'Blocked' ? event.data.blockedAt : (current?.blockedAt ?? null);
      changes.blocks.set(pairKey(blockerId, blockedId), { blockerId, blockedId, active: event.type === 'Blocked', rev, blockedAt });
      return;
    }
    case 'Muted':
    case 'Unmuted': {
      const { muterId, mutedId } = event.data;
      const current = changes.mutes.get(pairKey(muterId, mutedId));
      if (current && current.rev >= rev) return;
      const mutedAt = event.type === 'Muted' ? event.data.mutedAt : (current?.mutedAt ?? null);
      changes.mutes.set(pairKey(muterId, mutedId), { muterId, mutedId, active: event.type === 'Muted', rev, mutedAt });
      return;
    }
    case 'PostCreated': {
      const { postId, authorId, caption, hashtags, mentions, media, createdAt, location } = event.data;
      const row = post(postId);
      Object.assign(row, { authorId, media, createdAt, location: location ?? null });
      row.caption = newer(row.caption, { caption, hashtags, mentions }, rev);
      const positions = new Map<string, TagPosition[]>();
      media.forEach((item, index) =>
        item.tags?.forEach(({ userId, x, y }, order) => positions.set(userId, [...(positions.get(userId) ?? []), { item: index, order, x, y }])),
      );
      for (const [userId, at] of positions) tagged(postId, userId, authorId, at, createdAt);
      return;
    }
    case 'TagRemoved': {
      const { postId, userId, authorId } = event.data;
      return tagged(postId, userId, authorId, null, null);
    }
    case 'CaptionEdited': {
      const { postId, authorId, caption, hashtags, mentions } = event.data;
      const row = post(postId);
      row.authorId = authorId;
      row.caption = newer(row.caption, { caption, hashtags, mentions }, rev);
      return;
    }
    case 'PostDeleted': {
      const row = post(event.data.postId);
      row.authorId = event.data.authorId;
      row.deletedAt ??= event.data.deletedAt;
      return;
    }
    case 'CommentAdded': {
      const { commentId, postId, authorId, parentCommentId, text, mentions, createdAt } = event.data;
      Object.assign(comment(commentId), { postId, authorId, parentId: parentCommentId, text, mentions, createdAt });
      return;
    }
    case 'CommentDeleted': {
      const row = comment(event.data.commentId);
      row.postId = event.data.postId;
      row.deletedAt ??= event.data.deletedAt;
      return;
    }
    case 'Liked':
      return membership(changes.likes, event.data.postId, event.data.userId, true, event.data.likedAt);
    case 'Unliked':
      return membership(changes.likes, event.data.postId, event.data.userId, false, null);
    case 'Bookmarked':
      return membership(changes.bookmarks, event.data.postId, event.data.userId, true, event.data.bookmarkedAt);
    case 'Unbookmarked':
      return membership(changes.bookmarks, event.data.postId, event.data.userId, false, null);
    case 'StoryPosted': {
      // An ordinary story changes nothing here (stories have a read model of their own).
      const { storyId, authorId, postedAt, sharedPost } = event.data;
      if (sharedPost) changes.shares.set(storyId, { storyId, postId: sharedPost.postId, sharerId: authorId, at: postedAt });
      return;
    }
    case 'CollectionCreated': {
      const row = collection(event.data.collectionId, event.data.ownerId);
      row.createdAt = event.data.createdAt;
      row.name = newer(row.name, event.data.name, rev);
      return;
    }
    case 'CollectionRenamed': {
      const row = collection(event.data.collectionId, event.data.ownerId);
      row.name = newer(row.name, event.data.name, rev);
      return;
    }
    // The last event of the stream: the name (the owner's own text, sealed in the log) is blanked at
    // its revision, so that a live model ends as a rebuild does after the owner's erasure.
    case 'CollectionDeleted': {
      const row = collection(event.data.collectionId, event.data.ownerId);
      row.deletedAt ??= event.data.deletedAt;
      row.name = newer(row.name, '', rev);
      return;
    }
    case 'PostAddedToCollection': {
      const { collectionId, postId, ownerId, addedAt } = event.data;
      return filed({ collectionId, postId, ownerId }, true, addedAt);
    }
    case 'PostRemovedFromCollection': {
      const { collectionId, postId, ownerId } = event.data;
      return filed({ collectionId, postId, ownerId }, false, null);
    }
    default:
      return everyTypeHandled(event);
  }
};
