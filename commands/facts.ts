import { accessTo, type Access } from '../domain/access.js';
import { blockDecider } from '../domain/block/block.js';
import { followDecider } from '../domain/follow/follow.js';
import { postFacts, type PostFacts } from '../domain/post/post-facts.js';
import { postDecider } from '../domain/post/post.js';
import { userDecider, userNotFound, type ActiveUser } from '../domain/user/user.js';
import { normalizeUsername, usernameDecider } from '../domain/username/username.js';
import { streams, type EventStore } from '../events/index.js';
import { loadState } from './load-state.js';

// Facts a decision needs from streams other than the one it appends to. Each is read fresh on
// every attempt of a command (see handleCommand).

export const loadUser = (store: EventStore, userId: string) => loadState(store, streams.user(userId), userDecider);

/** The registered user holding `username`, or a 404 USER_NOT_FOUND (the answer a block gives too). */
export const findUserByUsername = async (store: EventStore, username: string): Promise<ActiveUser> => {
  const normalized = normalizeUsername(username);
  const { holder } = await loadState(store, streams.username(normalized), usernameDecider);
  // A reservation whose registration never completed holds no user: treat it as unknown.
  const user = holder ? await loadUser(store, holder) : undefined;
  if (!user || user.status !== 'active') throw userNotFound();
  return user;
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

/** May `actorId` see what `ownerId` shares? The owner's privacy, the follow, and blocks both ways. */
export const loadAccess = async (store: EventStore, actorId: string, ownerId: string): Promise<Access> => {
  if (actorId === ownerId) return 'allowed';
  const [owner, follows, blocked] = await Promise.all([
    loadUser(store, ownerId),
    isFollowing(store, actorId, ownerId),
    isBlockedEitherWay(store, actorId, ownerId),
  ]);
  const ownerIsPrivate = owner.status === 'active' && owner.private;
  return accessTo({ actorId, ownerId, ownerIsPrivate, actorFollowsOwner: follows, blockedEitherWay: blocked });
};

export const loadPostFacts = async (store: EventStore, actorId: string, postId: string): Promise<PostFacts> => {
  const post = await loadState(store, streams.post(postId), postDecider);
  // Access matters only for a post that is there to be engaged with.
  const access = post.status === 'active' ? await loadAccess(store, actorId, post.authorId) : 'allowed';
  return postFacts(post, access);
};
