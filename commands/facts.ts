import { accessTo, type Access } from '../domain/access.js';
import { blockDecider } from '../domain/block/block.js';
import { followDecider } from '../domain/follow/follow.js';
import { postFacts, type PostFacts } from '../domain/post/post-facts.js';
import { postDecider } from '../domain/post/post.js';
import type { ShareablePost } from '../domain/story/shared-post.js';
import { userDecider, userNotFound, type ActiveUser, type DeletingUser, type UserState } from '../domain/user/user.js';
import { normalizeUsername, usernameDecider } from '../domain/username/username.js';
import { streams, type EventStore } from '../events/index.js';
import { forbidden } from '../kernel/errors.js';
import { loadState } from './load-state.js';

// Facts a decision needs from streams other than the one it appends to. Each is read fresh on
// every attempt of a command (see handleCommand).

export const loadUser = (store: EventStore, userId: string) => loadState(store, streams.user(userId), userDecider);

const holderOf = async (store: EventStore, username: string): Promise<UserState | undefined> => {
  const { holder } = await loadState(store, streams.username(normalizeUsername(username)), usernameDecider);
  // A reservation whose registration never completed holds no user: treat it as unknown.
  return holder ? loadUser(store, holder) : undefined;
};

/**
 * The registered user holding `username`, or a 404 USER_NOT_FOUND (the answer a block gives too).
 * An account in its deletion grace period, or erased, is unknown to everyone (docs/rules.md
 * "Account deletion"): only `findOwnAccount` finds it, for its owner.
 */
export const findUserByUsername = async (store: EventStore, username: string): Promise<ActiveUser> => {
  const user = await holderOf(store, username);
  if (!user || user.status !== 'active') throw userNotFound();
  return user;
};

/**
 * The caller's own account named by `username`, also in its grace period (the owner's routes:
 * deleting and restoring it). Another visible account is 403 NOT_OWNER; an unknown, hidden or
 * erased one 404 USER_NOT_FOUND, so that a stranger never learns a hidden account exists.
 */
export const findOwnAccount = async (store: EventStore, actorId: string, username: string): Promise<ActiveUser | DeletingUser> => {
  const user = await holderOf(store, username);
  if (user && (user.status === 'active' || user.status === 'deleting') && user.userId === actorId) return user;
  if (user?.status === 'active') throw forbidden('NOT_OWNER', 'only the account owner may delete or restore it');
  throw userNotFound();
};

export const isBlockedEitherWay = async (store: EventStore, a: string, b: string): Promise<boolean> => {
  const [ab, ba] = await Promise.all([
    loadState(store, streams.block(a, b), blockDecider),
    loadState(store, streams.block(b, a), blockDecider),
  ]);
  return ab.blocked || ba.blocked;
};

export const isFollowing = async (store: EventStore, followerId: string, followeeId: string): Promise<boolean> =>
  (await loadState(store, streams.follow(followerId, followeeId), followDecider)).status === 'following';

/**
 * May `actorId` see what `ownerId` shares? The owner's privacy, the follow, and blocks both ways.
 * An owner in their deletion grace period (or erased) is hidden from everyone else: answered
 * 'blocked', which every decider refuses exactly as a missing post or story (domain/access.ts).
 */
export const loadAccess = async (store: EventStore, actorId: string, ownerId: string): Promise<Access> => {
  if (actorId === ownerId) return 'allowed';
  const [owner, follows, blocked] = await Promise.all([
    loadUser(store, ownerId),
    isFollowing(store, actorId, ownerId),
    isBlockedEitherWay(store, actorId, ownerId),
  ]);
  if (owner.status === 'deleting' || owner.status === 'erased') return 'blocked';
  const ownerIsPrivate = owner.status === 'active' && owner.private;
  return accessTo({ actorId, ownerId, ownerIsPrivate, actorFollowsOwner: follows, blockedEitherWay: blocked });
};

export const loadPostFacts = async (store: EventStore, actorId: string, postId: string): Promise<PostFacts> => {
  const post = await loadState(store, streams.post(postId), postDecider);
  // Access matters only for a post that is there to be engaged with.
  const access = post.status === 'active' ? await loadAccess(store, actorId, post.authorId) : 'allowed';
  return postFacts(post, access);
};

/** What a share of `postId` to a story by `sharerId` is decided on (domain/story/shared-post.ts). */
export const loadShareablePost = async (store: EventStore, sharerId: string, postId: string): Promise<ShareablePost> => {
  const post = await loadState(store, streams.post(postId), postDecider);
  if (post.status !== 'active') return { postId, facts: postFacts(post, 'allowed'), authorIsPrivate: false, firstMedia: null };
  const [access, author] = await Promise.all([loadAccess(store, sharerId, post.authorId), loadUser(store, post.authorId)]);
  // The story shows the item, not who is tagged on it: the tags stay the post's (TagRemoved changes no story).
  const first = post.media[0];
  const firstMedia = first ? (({ tags: _tags, ...item }) => item)(first) : null;
  return { postId, facts: postFacts(post, access), authorIsPrivate: author.status === 'active' && author.private, firstMedia };
};
