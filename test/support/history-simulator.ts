import { parseCommentText } from '../../domain/comment/comment-text.js';
import { locationOf, type PlaceInput } from '../../domain/location/location.js';
import { parseCaption } from '../../domain/post/caption.js';
import { streams, type DomainEvent, type MediaItem, type UploadedMediaItem } from '../../events/index.js';
import { accessTo } from '../../kernel/access.js';
import { COLLECTION_POSTS_MAX, COLLECTIONS_MAX } from '../../kernel/limits.js';

// The write side in miniature, for generating event histories: a list of intents ("someone
// follows someone", "someone likes a post") is played against a model of what the deciders and
// handlers would know, and each intent either becomes the events the platform would append for it
// or, when the platform would refuse it or it would change nothing, no event at all. So every
// generated history is one the real write side could have produced (docs/rules.md: no
// engagement with deleted or hidden posts, blocks end follows both ways, a block refuses a mute, approval emits
// FollowRequestApproved + Followed, stories expire at postedAt + ttl, ...). Account deletion
// (docs/architecture.md "Account deletion"): a deleting account does nothing but undo and delete
// (unlike, unbookmark, unfollow, delete its posts, comments, stories) and others do nothing to it
// (it reads as unknown); once its grace (DELETION_GRACE_MS) is over the erasure worker's cascade
// ends everything it made (its collections deleted too), then AccountErased and UsernameReleased, and the name may be taken again.

/** The simulated grace period between a deletion request and the earliest erasure. */
export const DELETION_GRACE_MS = 30 * 60_000;

/** A domain event with the stream it is appended to and the write side's clock at that moment. */
export type HistoryEvent = DomainEvent & { streamId: string; at: string };

export const intentKinds = [
  'register',
  'updateProfile',
  'changePrivacy',
  'changeAvatar',
  'verify',
  'follow',
  'unfollow',
  'approveRequest',
  'rejectRequest',
  'block',
  'unblock',
  'mute',
  'unmute',
  'createPost',
  'tagPost',
  'removeTag',
  'editCaption',
  'deletePost',
  'like',
  'unlike',
  'comment',
  'deleteComment',
  'bookmark',
  'unbookmark',
  'createCollection',
  'renameCollection',
  'deleteCollection',
  'addToCollection',
  'removeFromCollection',
  'postStory',
  'share',
  'viewStory',
  'deleteStory',
  'expireStory',
  'requestDeletion',
  'restoreAccount',
  'eraseAccount',
  'tick',
] as const;
export type IntentKind = (typeof intentKinds)[number];

/** What someone tries to do; `a`, `b`, `c` pick among the candidates the model offers (modulo their count). */
export interface Intent {
  kind: IntentKind;
  a: number;
  b: number;
  c: number;
  /** How far the clock moves before the intent (a `tick` moves it much further). */
  advanceMs: number;
}

export interface SimulationOptions {
  /** People who may register, 2 to 8; the first two register before any intent. */
  maxUsers: number;
  storyTtlMs: number;
  /** The clock at the start, ISO. */
  start: string;
}

const hex12 = (n: number) => n.toString(16).padStart(12, '0');
/** Deterministic, readable UUIDs (version 7, variant 8): a prefix per kind of thing, then a counter. */
export const historyIds = {
  user: (i: number) => `0190a000-0000-7000-8000-${hex12(i + 1)}`,
  post: (i: number) => `0190b000-0000-7000-8000-${hex12(i + 1)}`,
  comment: (i: number) => `0190c000-0000-7000-8000-${hex12(i + 1)}`,
  story: (i: number) => `0190d000-0000-7000-8000-${hex12(i + 1)}`,
  collection: (i: number) => `0190f000-0000-7000-8000-${hex12(i + 1)}`,
};
export const historyUsernames = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal'] as const;

const captions = ['', 'sunset #beach', 'with @bob and @cat #fun #beach', 'no tags here', '#Café #día @ann.', '@hal #x_y'];
const commentTexts = ['nice!', '@ann look at this', 'wow #tag', '  spaced out  ', '@bob @eve 🎉'];
// Kept trimmed, as the collection decider keeps them.
const collectionNames = ['Trips', '  Food  ', 'Café ☕', 'n'.repeat(60)];
const displayNames = ['Ann', 'Bobby', 'C. at', '東京', 'Eve 🌅'];
const bios = ['', 'hello', 'photographer', 'café lover @ann'];
// Places posts name (domain/location/location.ts): none half the time, two spellings of one place
// (one location), one with coordinates, a second with a point near the first.
const places: (PlaceInput | undefined)[] = [
  undefined,
  { name: 'Café de Flore', lat: 48.85404, lon: 2.33259 },
  undefined,
  { name: 'café  DE flore', lat: 48.8541, lon: 2.3326 },
  { name: 'Pier 39' },
  undefined,
  { name: 'Corner Cafe', lat: 48.857, lon: 2.352 },
];

const located = (place: PlaceInput | undefined) => (place ? { location: locationOf(place) } : {});

const mediaLists: MediaItem[][] = [
  [{ url: 'media/a.jpg', type: 'image' }],
  [{ url: 'media/b.mp4', type: 'video', width: 1080, height: 1920 }],
  [
    { url: 'media/c.jpg', type: 'image' },
    { url: 'media/d.jpg', type: 'image', width: 640, height: 640 },
  ],
];

interface User {
  id: string;
  username: string;
  state: 'active' | 'deleting' | 'erased';
  eraseAfter: number;
  displayName: string;
  bio: string;
  private: boolean;
  avatarId: string | null;
  verified: boolean;
}

/** An avatar as attachMedia returns it: a processed upload with its variants' storage keys. */
const avatarOf = (mediaId: string): UploadedMediaItem => ({
  mediaId,
  type: 'image',
  width: 640,
  height: 640,
  blurhash: 'LEHV6nWB2yk8',
  dominantColor: '#336699',
  detectedType: 'image/jpeg',
  variants: [{ name: 'square150', key: `media/${mediaId}/square150.webp`, width: 150, height: 150, contentType: 'image/webp', size: 1200 }],
});

interface Post {
  id: string;
  authorId: string;
  caption: string;
  deleted: boolean;
  /** Its first media item: what a story sharing it shows (without its tags). */
  firstMedia: MediaItem;
  /** The people still tagged on it (domain/post/tags.ts). */
  tagged: Set<string>;
}
interface Comment {
  id: string;
  postId: string;
  authorId: string;
  postAuthorId: string;
  deleted: boolean;
}
interface Story {
  id: string;
  authorId: string;
  expiresAt: number;
  status: 'active' | 'expired' | 'deleted';
}

interface Collection {
  id: string;
  ownerId: string;
  name: string;
  deleted: boolean;
  /** Filed posts, oldest added first (the decider's state). */
  posts: string[];
}

interface World {
  now: number;
  users: User[];
  follows: Map<string, 'following' | 'requested'>;
  blocks: Set<string>;
  /** Standing mutes, muter|muted. */
  mutes: Set<string>;
  posts: Post[];
  likes: Set<string>;
  bookmarks: Set<string>;
  collections: Collection[];
  comments: Comment[];
  stories: Story[];
  storyViews: Set<string>;
  /** Usernames released by an erasure, free to be registered again. */
  released: string[];
}

const key = (a: string, b: string) => `${a}|${b}`;
const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);
const iso = (ms: number) => new Date(ms).toISOString();

/** Plays the intents; returns the history, in the order the write side would have appended it. */
export const simulateHistory = (intents: readonly Intent[], options: SimulationOptions): HistoryEvent[] => {
  const world: World = {
    now: Date.parse(options.start),
    users: [],
    follows: new Map(),
    blocks: new Set(),
    mutes: new Set(),
    posts: [],
    likes: new Set(),
    bookmarks: new Set(),
    collections: [],
    comments: [],
    stories: [],
    storyViews: new Set(),
    released: [],
  };
  const history: HistoryEvent[] = [];
  const maxUsers = Math.max(2, Math.min(options.maxUsers, historyUsernames.length));
  const emit = (streamId: string, event: DomainEvent) => history.push({ ...event, streamId, at: iso(world.now) } as HistoryEvent);
  const step = stepper(world, emit, { maxUsers, storyTtlMs: options.storyTtlMs });
  step({ kind: 'register', a: 0, b: 0, c: 0, advanceMs: 0 });
  step({ kind: 'register', a: 0, b: 0, c: 0, advanceMs: 1 });
  for (const intent of intents) step(intent);
  return history;
};

type Emit = (streamId: string, event: DomainEvent) => void;

const stepper = (w: World, emit: Emit, limits: { maxUsers: number; storyTtlMs: number }) => {
  const now = () => iso(w.now);
  const isFollowing = (follower: string, followee: string) => w.follows.get(key(follower, followee)) === 'following';
  const blockedEitherWay = (a: string, b: string) => w.blocks.has(key(a, b)) || w.blocks.has(key(b, a));
  const userById = (id: string) => w.users.find((u) => u.id === id);
  const stateOf = (id: string) => userById(id)?.state ?? 'erased';
  const isActive = (id: string) => stateOf(id) === 'active';
  /** Listed accounts: the only ones that act, and the only ones others act on. */
  const activeUsers = () => w.users.filter((u) => u.state === 'active');
  /**
   * An undo or delete by `actor` touching something of `owner`: a deleting actor may undo and
   * delete anything of theirs; an active one only what involves listed accounts.
   */
  const mayUndo = (actor: string, owner: string) => stateOf(actor) === 'deleting' || (isActive(actor) && isActive(owner));
  /** docs/rules.md, kernel/access.ts: may `actor` see and act on `owner`'s content? */
  const allowed = (actor: string, owner: string) =>
    accessTo({
      actorId: actor,
      ownerId: owner,
      ownerIsPrivate: userById(owner)?.private ?? false,
      actorFollowsOwner: isFollowing(actor, owner),
      blockedEitherWay: blockedEitherWay(actor, owner),
    }) === 'allowed';
  /** Two different listed users. */
  const twoUsers = (a: number, b: number): [User, User] | undefined => {
    const first = pick(activeUsers(), a);
    const others = activeUsers().filter((u) => u !== first);
    const second = pick(others, b);
    return first && second ? [first, second] : undefined;
  };
  /** Pairs of listed accounts in that status (an owner answers requests of listed accounts only). */
  const followPairs = (status: 'following' | 'requested') =>
    [...w.follows]
      .filter(([, s]) => s === status)
      .map(([k]) => k.split('|') as [string, string])
      .filter(([follower, followee]) => isActive(follower) && isActive(followee));
  const endFollow = (followerId: string, followeeId: string, reason: 'blocked' | 'account-erased' = 'blocked') => {
    const status = w.follows.get(key(followerId, followeeId));
    const stream = streams.follow(followerId, followeeId);
    if (status === 'following') emit(stream, { type: 'Unfollowed', data: { followerId, followeeId, reason } });
    if (status === 'requested') emit(stream, { type: 'FollowRequestCancelled', data: { followerId, followeeId, reason } });
    w.follows.delete(key(followerId, followeeId));
  };
  const livePosts = () => w.posts.filter((p) => !p.deleted);
  /** Live collections whose owner may act on them: an active one, or (to undo and delete) a deleting one. */
  const ownedCollections = (undoing: boolean) => w.collections.filter((c) => !c.deleted && (undoing ? mayUndo(c.ownerId, c.ownerId) : isActive(c.ownerId)));
  const deleteCollection = (collection: Collection) => {
    collection.deleted = true;
    emit(streams.collection(collection.id), { type: 'CollectionDeleted', data: { collectionId: collection.id, ownerId: collection.ownerId, deletedAt: now() } });
  };

  const handlers: Record<IntentKind, (i: Intent) => void> = {
    register: ({ a }) => {
      const index = w.users.length;
      if (index >= limits.maxUsers) return;
      // A username an erasure released may be taken again (never one still held).
      const reused = a % 2 === 0 ? w.released.shift() : undefined;
      const username = reused ?? historyUsernames[index]!;
      const user: User = { id: historyIds.user(index), username, state: 'active', eraseAfter: 0, displayName: '', bio: '', private: false, avatarId: null, verified: false };
      user.displayName = user.username;
      w.users.push(user);
      emit(streams.username(user.username), { type: 'UsernameReserved', data: { username: user.username, userId: user.id } });
      emit(streams.user(user.id), {
        type: 'UserRegistered',
        data: { userId: user.id, username: user.username, displayName: user.displayName, registeredAt: now() },
      });
    },
    updateProfile: ({ a, b, c }) => {
      const user = pick(activeUsers(), a);
      if (!user) return;
      const changed: { displayName?: string; bio?: string } = {};
      const displayName = displayNames[b % displayNames.length]!;
      const bio = bios[c % bios.length]!;
      if (b % 3 !== 0 && displayName !== user.displayName) changed.displayName = user.displayName = displayName;
      if (c % 3 !== 0 && bio !== user.bio) changed.bio = user.bio = bio;
      if (Object.keys(changed).length > 0) emit(streams.user(user.id), { type: 'ProfileUpdated', data: { userId: user.id, ...changed } });
    },
    changePrivacy: ({ a }) => {
      const user = pick(activeUsers(), a);
      if (!user) return;
      user.private = !user.private;
      emit(streams.user(user.id), { type: 'PrivacyChanged', data: { userId: user.id, private: user.private } });
    },
    // An operator's badge, given or taken away: as SetVerified decides, only an active account's, and only a change.
    verify: ({ a }) => {
      const user = pick(activeUsers(), a);
      if (!user) return;
      user.verified = !user.verified;
      emit(streams.user(user.id), { type: 'VerifiedChanged', data: { userId: user.id, verified: user.verified, changedAt: now() } });
    },
    // A new avatar (one of a few uploads), or none: as SetAvatar decides, the same one again is nothing.
    changeAvatar: ({ a, b }) => {
      const user = pick(activeUsers(), a);
      if (!user) return;
      // Each user's own uploads (one of three), so that no media is another user's avatar.
      const mediaId = b % 4 === 0 ? null : `0190e00${b % 3}-0000-7000-8000-${user.id.slice(24)}`;
      if (mediaId === user.avatarId) return;
      user.avatarId = mediaId;
      emit(streams.user(user.id), { type: 'AvatarChanged', data: { userId: user.id, avatar: mediaId === null ? null : avatarOf(mediaId), changedAt: now() } });
    },
    follow: ({ a, b }) => {
      const pair = twoUsers(a, b);
      if (!pair) return;
      const [follower, followee] = pair;
      const data = { followerId: follower.id, followeeId: followee.id };
      if (blockedEitherWay(follower.id, followee.id) || w.follows.has(key(follower.id, followee.id))) return;
      const stream = streams.follow(follower.id, followee.id);
      if (followee.private) {
        w.follows.set(key(follower.id, followee.id), 'requested');
        emit(stream, { type: 'FollowRequested', data: { ...data, requestedAt: now() } });
      } else {
        w.follows.set(key(follower.id, followee.id), 'following');
        emit(stream, { type: 'Followed', data: { ...data, followedAt: now() } });
      }
    },
    unfollow: ({ a }) => {
      const pair = pick(
        [...w.follows.keys()].filter((k) => mayUndo(...(k.split('|') as [string, string]))),
        a,
      );
      if (!pair) return;
      const [followerId, followeeId] = pair.split('|') as [string, string];
      const stream = streams.follow(followerId, followeeId);
      if (w.follows.get(pair) === 'following') emit(stream, { type: 'Unfollowed', data: { followerId, followeeId, reason: 'unfollowed' } });
      else emit(stream, { type: 'FollowRequestCancelled', data: { followerId, followeeId, reason: 'withdrawn' } });
      w.follows.delete(pair);
    },
    approveRequest: ({ a }) => {
      const pair = pick(followPairs('requested'), a);
      if (!pair) return;
      const [followerId, followeeId] = pair;
      const stream = streams.follow(followerId, followeeId);
      w.follows.set(key(followerId, followeeId), 'following');
      emit(stream, { type: 'FollowRequestApproved', data: { followerId, followeeId, approvedAt: now() } });
      emit(stream, { type: 'Followed', data: { followerId, followeeId, followedAt: now() } });
    },
    rejectRequest: ({ a }) => {
      const pair = pick(followPairs('requested'), a);
      if (!pair) return;
      const [followerId, followeeId] = pair;
      w.follows.delete(key(followerId, followeeId));
      emit(streams.follow(followerId, followeeId), { type: 'FollowRequestRejected', data: { followerId, followeeId } });
    },
    block: ({ a, b }) => {
      const pair = twoUsers(a, b);
      if (!pair) return;
      const [blocker, blocked] = pair;
      if (w.blocks.has(key(blocker.id, blocked.id))) return;
      w.blocks.add(key(blocker.id, blocked.id));
      emit(streams.block(blocker.id, blocked.id), { type: 'Blocked', data: { blockerId: blocker.id, blockedId: blocked.id, blockedAt: now() } });
      // commands/graph/block.ts: then ends follows and pending requests both ways.
      endFollow(blocker.id, blocked.id);
      endFollow(blocked.id, blocker.id);
    },
    unblock: ({ a }) => {
      const pair = pick(
        [...w.blocks].filter((k) => k.split('|').every(isActive)),
        a,
      );
      if (!pair) return;
      const [blockerId, blockedId] = pair.split('|') as [string, string];
      w.blocks.delete(pair);
      emit(streams.block(blockerId, blockedId), { type: 'Unblocked', data: { blockerId, blockedId } });
    },
    // domain/mute/mute.ts: nothing else changes; a block either way refuses it; a repeat is nothing.
    mute: ({ a, b }) => {
      const pair = twoUsers(a, b);
      if (!pair) return;
      const [muter, muted] = pair;
      if (blockedEitherWay(muter.id, muted.id) || w.mutes.has(key(muter.id, muted.id))) return;
      w.mutes.add(key(muter.id, muted.id));
      emit(streams.mute(muter.id, muted.id), { type: 'Muted', data: { muterId: muter.id, mutedId: muted.id, mutedAt: now() } });
    },
    // An undo: the route names a listed account; a deleting muter may still undo theirs.
    unmute: ({ a }) => {
      const pair = pick(
        [...w.mutes].filter((k) => mayUndo(...(k.split('|') as [string, string]))),
        a,
      );
      if (!pair) return;
      const [muterId, mutedId] = pair.split('|') as [string, string];
      w.mutes.delete(pair);
      emit(streams.mute(muterId, mutedId), { type: 'Unmuted', data: { muterId, mutedId } });
    },
    createPost: ({ a, b, c }) => {
      const author = pick(activeUsers(), a);
      if (!author) return;
      const media = mediaLists[c % mediaLists.length]!;
      const post: Post = { id: historyIds.post(w.posts.length), authorId: author.id, caption: '', deleted: false, firstMedia: media[0]!, tagged: new Set() };
      const parsed = parseCaption(captions[b % captions.length]!);
      post.caption = parsed.caption;
      w.posts.push(post);
      emit(streams.post(post.id), {
        type: 'PostCreated',
        data: { postId: post.id, authorId: author.id, ...parsed, media, createdAt: now(), ...located(places[(a + c) % places.length]) },
      });
    },
    // A post tagging one or two listed people no block stands between with the author (the decider
    // refuses the others): the first on the first item, the second on the last (the same person on
    // both when the picks agree on a carousel); themself too, sometimes.
    tagPost: ({ a, b, c }) => {
      const author = pick(activeUsers(), a);
      if (!author) return;
      const taggable = activeUsers().filter((u) => !blockedEitherWay(author.id, u.id));
      const [first, second] = [pick(taggable, b), pick(taggable, b + c + 1)];
      if (!first || !second) return;
      const media = mediaLists[c % mediaLists.length]!;
      const at = (n: number) => ({ x: (n % 5) / 4, y: ((n >> 2) % 5) / 4 });
      const tagged: MediaItem[] = media.map((item, index) => {
        const people = [...new Set([...(index === 0 ? [first.id] : []), ...(index === media.length - 1 ? [second.id] : [])])];
        return { ...item, tags: people.map((userId, n) => ({ userId, ...at(a + b + n) })) };
      });
      const post: Post = { id: historyIds.post(w.posts.length), authorId: author.id, caption: '', deleted: false, firstMedia: media[0]!, tagged: new Set([first.id, second.id]) };
      const parsed = parseCaption(captions[b % captions.length]!);
      post.caption = parsed.caption;
      w.posts.push(post);
      emit(streams.post(post.id), { type: 'PostCreated', data: { postId: post.id, authorId: author.id, ...parsed, media: tagged, createdAt: now() } });
    },
    // The tagged person takes themself off, or the author takes them off (a deleting one may still, as an undo).
    removeTag: ({ a, b }) => {
      const tags = livePosts().flatMap((p) => [...p.tagged].map((userId) => ({ post: p, userId })));
      const tag = pick(tags, a);
      if (!tag) return;
      const actor = b % 2 === 0 ? tag.userId : tag.post.authorId;
      if (!mayUndo(actor, actor)) return;
      tag.post.tagged.delete(tag.userId);
      emit(streams.post(tag.post.id), { type: 'TagRemoved', data: { postId: tag.post.id, authorId: tag.post.authorId, userId: tag.userId, removedAt: now() } });
    },
    editCaption: ({ a, b }) => {
      const post = pick(
        livePosts().filter((p) => isActive(p.authorId)),
        a,
      );
      if (!post) return;
      const parsed = parseCaption(captions[b % captions.length]!);
      if (parsed.caption === post.caption) return;
      post.caption = parsed.caption;
      emit(streams.post(post.id), { type: 'CaptionEdited', data: { postId: post.id, authorId: post.authorId, ...parsed, editedAt: now() } });
    },
    deletePost: ({ a }) => {
      const post = pick(
        livePosts().filter((p) => mayUndo(p.authorId, p.authorId)),
        a,
      );
      if (!post) return;
      post.deleted = true;
      emit(streams.post(post.id), { type: 'PostDeleted', data: { postId: post.id, authorId: post.authorId, deletedAt: now() } });
    },
    like: ({ a, b }) => {
      const user = pick(activeUsers(), a);
      const post = pick(livePosts(), b);
      if (!user || !post || !isActive(post.authorId) || !allowed(user.id, post.authorId) || w.likes.has(key(post.id, user.id))) return;
      w.likes.add(key(post.id, user.id));
      emit(streams.like(post.id, user.id), {
        type: 'Liked',
        data: { postId: post.id, userId: user.id, postAuthorId: post.authorId, likedAt: now() },
      });
    },
    unlike: ({ a }) => {
      const authorOf = (postId: string) => w.posts.find((p) => p.id === postId)!.authorId;
      const like = pick(
        [...w.likes].filter((k) => {
          const [postId, userId] = k.split('|') as [string, string];
          return mayUndo(userId, authorOf(postId));
        }),
        a,
      );
      if (!like) return;
      const [postId, userId] = like.split('|') as [string, string];
      w.likes.delete(like);
      emit(streams.like(postId, userId), { type: 'Unliked', data: { postId, userId } });
    },
    comment: ({ a, b, c }) => {
      const author = pick(activeUsers(), a);
      const post = pick(livePosts(), b);
      if (!author || !post || !isActive(post.authorId) || !allowed(author.id, post.authorId)) return;
      const siblings = w.comments.filter((x) => x.postId === post.id && !x.deleted && isActive(x.authorId));
      // Every other comment is top level; the rest answer a live comment of the same post.
      const parent = c % 2 === 0 ? undefined : pick(siblings, c >> 1);
      const comment: Comment = { id: historyIds.comment(w.comments.length), postId: post.id, authorId: author.id, postAuthorId: post.authorId, deleted: false };
      w.comments.push(comment);
      emit(streams.comment(comment.id), {
        type: 'CommentAdded',
        data: {
          commentId: comment.id,
          postId: post.id,
          authorId: author.id,
          postAuthorId: post.authorId,
          parentCommentId: parent?.id ?? null,
          ...parseCommentText(commentTexts[c % commentTexts.length]!),
          createdAt: now(),
        },
      });
    },
    deleteComment: ({ a, b }) => {
      const comment = pick(
        w.comments.filter((x) => !x.deleted),
        a,
      );
      if (!comment) return;
      // Its author, or the post's author moderating.
      const deletedBy = b % 2 === 0 ? comment.authorId : comment.postAuthorId;
      const other = deletedBy === comment.authorId ? comment.postAuthorId : comment.authorId;
      if (!mayUndo(deletedBy, other)) return;
      comment.deleted = true;
      emit(streams.comment(comment.id), { type: 'CommentDeleted', data: { commentId: comment.id, postId: comment.postId, deletedBy, deletedAt: now() } });
    },
    bookmark: ({ a, b }) => {
      const user = pick(activeUsers(), a);
      const post = pick(livePosts(), b);
      if (!user || !post || !isActive(post.authorId) || !allowed(user.id, post.authorId) || w.bookmarks.has(key(user.id, post.id))) return;
      w.bookmarks.add(key(user.id, post.id));
      emit(streams.bookmark(user.id, post.id), { type: 'Bookmarked', data: { userId: user.id, postId: post.id, bookmarkedAt: now() } });
    },
    unbookmark: ({ a }) => {
      const authorOf = (postId: string) => w.posts.find((p) => p.id === postId)!.authorId;
      const bookmark = pick(
        [...w.bookmarks].filter((k) => {
          const [userId, postId] = k.split('|') as [string, string];
          return mayUndo(userId, authorOf(postId));
        }),
        a,
      );
      if (!bookmark) return;
      const [userId, postId] = bookmark.split('|') as [string, string];
      w.bookmarks.delete(bookmark);
      emit(streams.bookmark(userId, postId), { type: 'Unbookmarked', data: { userId, postId } });
    },
    createCollection: ({ a, b }) => {
      const owner = pick(activeUsers(), a);
      if (!owner || w.collections.filter((c) => c.ownerId === owner.id && !c.deleted).length >= COLLECTIONS_MAX) return;
      const collection: Collection = { id: historyIds.collection(w.collections.length), ownerId: owner.id, name: collectionNames[b % collectionNames.length]!.trim(), deleted: false, posts: [] };
      w.collections.push(collection);
      emit(streams.collection(collection.id), { type: 'CollectionCreated', data: { collectionId: collection.id, ownerId: owner.id, name: collection.name, createdAt: now() } });
    },
    renameCollection: ({ a, b }) => {
      const collection = pick(ownedCollections(false), a);
      const name = collectionNames[b % collectionNames.length]!.trim();
      if (!collection || name === collection.name) return;
      collection.name = name;
      emit(streams.collection(collection.id), { type: 'CollectionRenamed', data: { collectionId: collection.id, ownerId: collection.ownerId, name } });
    },
    deleteCollection: ({ a }) => {
      const collection = pick(ownedCollections(true), a);
      if (collection) deleteCollection(collection);
    },
    // As commands/collections/collections.ts: filed, then saved (Bookmarked) unless saved already.
    addToCollection: ({ a, b }) => {
      const collection = pick(ownedCollections(false), a);
      const post = pick(livePosts(), b);
      if (!collection || !post || !isActive(post.authorId) || !allowed(collection.ownerId, post.authorId)) return;
      if (collection.posts.includes(post.id) || collection.posts.length >= COLLECTION_POSTS_MAX) return;
      collection.posts.push(post.id);
      emit(streams.collection(collection.id), { type: 'PostAddedToCollection', data: { collectionId: collection.id, ownerId: collection.ownerId, postId: post.id, addedAt: now() } });
      if (w.bookmarks.has(key(collection.ownerId, post.id))) return;
      w.bookmarks.add(key(collection.ownerId, post.id));
      emit(streams.bookmark(collection.ownerId, post.id), { type: 'Bookmarked', data: { userId: collection.ownerId, postId: post.id, bookmarkedAt: now() } });
    },
    removeFromCollection: ({ a, b }) => {
      const collection = pick(
        ownedCollections(true).filter((c) => c.posts.length > 0),
        a,
      );
      const postId = collection && pick(collection.posts, b);
      if (!collection || !postId) return;
      collection.posts = collection.posts.filter((id) => id !== postId);
      emit(streams.collection(collection.id), { type: 'PostRemovedFromCollection', data: { collectionId: collection.id, ownerId: collection.ownerId, postId } });
    },
    postStory: ({ a, b }) => {
      const author = pick(activeUsers(), a);
      if (!author) return;
      const story: Story = { id: historyIds.story(w.stories.length), authorId: author.id, expiresAt: w.now + limits.storyTtlMs, status: 'active' };
      w.stories.push(story);
      emit(streams.story(story.id), {
        type: 'StoryPosted',
        data: { storyId: story.id, authorId: author.id, media: mediaLists[b % mediaLists.length]![0]!, postedAt: now(), expiresAt: iso(story.expiresAt) },
      });
    },
    // domain/story/shared-post.ts: a live post the sharer may see; a private account's by its author only.
    share: ({ a, b }) => {
      const sharer = pick(activeUsers(), a);
      const post = pick(livePosts(), b);
      if (!sharer || !post || !isActive(post.authorId) || !allowed(sharer.id, post.authorId)) return;
      if (userById(post.authorId)!.private && sharer.id !== post.authorId) return;
      const story: Story = { id: historyIds.story(w.stories.length), authorId: sharer.id, expiresAt: w.now + limits.storyTtlMs, status: 'active' };
      w.stories.push(story);
      emit(streams.story(story.id), {
        type: 'StoryPosted',
        data: {
          storyId: story.id,
          authorId: sharer.id,
          media: post.firstMedia,
          postedAt: now(),
          expiresAt: iso(story.expiresAt),
          sharedPost: { postId: post.id, authorId: post.authorId },
        },
      });
    },
    viewStory: ({ a, b }) => {
      const viewer = pick(activeUsers(), a);
      const story = pick(
        w.stories.filter((s) => s.status === 'active' && w.now < s.expiresAt && isActive(s.authorId)),
        b,
      );
      // Authors do not appear among their own viewers.
      if (!viewer || !story || viewer.id === story.authorId || !allowed(viewer.id, story.authorId)) return;
      if (w.storyViews.has(key(story.id, viewer.id))) return;
      w.storyViews.add(key(story.id, viewer.id));
      emit(streams.storyView(story.id, viewer.id), {
        type: 'StoryViewed',
        data: { storyId: story.id, authorId: story.authorId, viewerId: viewer.id, viewedAt: now() },
      });
    },
    deleteStory: ({ a }) => {
      // An expired story can still be deleted (it leaves the author's archive).
      const story = pick(
        w.stories.filter((s) => s.status !== 'deleted' && mayUndo(s.authorId, s.authorId)),
        a,
      );
      if (!story) return;
      story.status = 'deleted';
      emit(streams.story(story.id), { type: 'StoryDeleted', data: { storyId: story.id, authorId: story.authorId, deletedAt: now() } });
    },
    expireStory: ({ a }) => {
      const story = pick(
        w.stories.filter((s) => s.status === 'active' && w.now >= s.expiresAt),
        a,
      );
      if (!story) return;
      story.status = 'expired';
      // The fact's time, not the processing time (domain/story/story.ts).
      emit(streams.story(story.id), { type: 'StoryExpired', data: { storyId: story.id, authorId: story.authorId, expiredAt: iso(story.expiresAt) } });
    },
    requestDeletion: ({ a }) => {
      const user = pick(activeUsers(), a);
      if (!user) return;
      user.state = 'deleting';
      user.eraseAfter = w.now + DELETION_GRACE_MS;
      emit(streams.user(user.id), { type: 'AccountDeletionRequested', data: { userId: user.id, requestedAt: now(), eraseAfter: iso(user.eraseAfter) } });
    },
    restoreAccount: ({ a }) => {
      const user = pick(
        w.users.filter((u) => u.state === 'deleting' && w.now < u.eraseAfter),
        a,
      );
      if (!user) return;
      user.state = 'active';
      emit(streams.user(user.id), { type: 'AccountRestored', data: { userId: user.id, restoredAt: now() } });
    },
    // The erasure worker: everything the person made ends through the ordinary commands, then the
    // account is erased and its username released.
    eraseAccount: ({ a }) => {
      const user = pick(
        w.users.filter((u) => u.state === 'deleting' && w.now >= u.eraseAfter),
        a,
      );
      if (!user) return;
      const id = user.id;
      for (const post of livePosts().filter((p) => p.authorId === id)) {
        post.deleted = true;
        emit(streams.post(post.id), { type: 'PostDeleted', data: { postId: post.id, authorId: id, deletedAt: now() } });
      }
      for (const comment of w.comments.filter((c) => c.authorId === id && !c.deleted)) {
        comment.deleted = true;
        emit(streams.comment(comment.id), { type: 'CommentDeleted', data: { commentId: comment.id, postId: comment.postId, deletedBy: id, deletedAt: now() } });
      }
      for (const story of w.stories.filter((s) => s.authorId === id && s.status !== 'deleted')) {
        story.status = 'deleted';
        emit(streams.story(story.id), { type: 'StoryDeleted', data: { storyId: story.id, authorId: id, deletedAt: now() } });
      }
      for (const like of [...w.likes].filter((k) => k.endsWith(`|${id}`))) {
        const [postId, userId] = like.split('|') as [string, string];
        w.likes.delete(like);
        emit(streams.like(postId, userId), { type: 'Unliked', data: { postId, userId } });
      }
      for (const bookmark of [...w.bookmarks].filter((k) => k.startsWith(`${id}|`))) {
        const [userId, postId] = bookmark.split('|') as [string, string];
        w.bookmarks.delete(bookmark);
        emit(streams.bookmark(userId, postId), { type: 'Unbookmarked', data: { userId, postId } });
      }
      // Their tags on live posts (the author's own posts were deleted above) are taken off.
      for (const post of livePosts().filter((p) => p.tagged.has(id))) {
        post.tagged.delete(id);
        emit(streams.post(post.id), { type: 'TagRemoved', data: { postId: post.id, authorId: post.authorId, userId: id, removedAt: now() } });
      }
      for (const collection of w.collections.filter((c) => c.ownerId === id && !c.deleted)) deleteCollection(collection);
      for (const pair of [...w.follows.keys()]) {
        const [followerId, followeeId] = pair.split('|') as [string, string];
        if (followerId === id || followeeId === id) endFollow(followerId, followeeId, 'account-erased');
      }
      for (const pair of [...w.mutes]) {
        const [muterId, mutedId] = pair.split('|') as [string, string];
        if (muterId !== id && mutedId !== id) continue;
        w.mutes.delete(pair);
        emit(streams.mute(muterId, mutedId), { type: 'Unmuted', data: { muterId, mutedId } });
      }
      user.state = 'erased';
      emit(streams.user(id), { type: 'AccountErased', data: { userId: id, erasedAt: now() } });
      emit(streams.username(user.username), { type: 'UsernameReleased', data: { username: user.username, userId: id } });
      w.released.push(user.username);
    },
    tick: () => undefined,
  };

  return (intent: Intent) => {
    w.now += Math.max(0, intent.advanceMs);
    handlers[intent.kind](intent);
  };
};
