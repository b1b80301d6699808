import { userNotFound } from '../../domain/user/user.js';
import { followDecider, type FollowCommand } from '../../domain/follow/follow.js';
import { streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername, isBlockedEitherWay, loadUser } from '../facts.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';

export type FollowStatus = 'none' | 'requested' | 'following';

export interface FollowResult {
  status: FollowStatus;
  position: Position;
}

/** Who follows (or unfollows) whom, the followee named as in the route. */
export interface FollowInput {
  followerId: string;
  username: string;
}

/** One command on the follow-{followerId}-{followeeId} stream, which holds the follow and its request. */
export const onFollowStream = (deps: CommandDeps, followerId: string, followeeId: string, command: BuildCommand<FollowCommand>, ctx: CommandContext) =>
  handleCommand({ store: deps.store, stream: streams.follow(followerId, followeeId), decider: followDecider, command, ctx });

/** Ends a follow or pending request because a block now stands between the two (block.ts too). */
export const endFollowByBlock = (deps: CommandDeps, followerId: string, followeeId: string, ctx: CommandContext) =>
  onFollowStream(deps, followerId, followeeId, () => ({ type: 'EndFollow', followerId, followeeId, reason: 'blocked' }), ctx);

/** Follows a public account, or asks a private one; a repeat changes nothing. */
export const follow = async (deps: CommandDeps, { followerId, username }: FollowInput, ctx: CommandContext): Promise<FollowResult> => {
  const [{ userId: followeeId }] = await Promise.all([findUserByUsername(deps.store, username), assertRegisteredActor(deps.store, followerId)]);
  const { position, state } = await onFollowStream(
    deps,
    followerId,
    followeeId,
    async () => {
      const current = await loadUser(deps.store, followeeId);
      return {
        type: 'Follow',
        followerId,
        followeeId,
        followeeIsPrivate: current.status === 'active' && current.private,
        blocked: await isBlockedEitherWay(deps.store, followerId, followeeId),
        following: { count: await deps.followingCount(followerId, deps.followingMax), max: deps.followingMax },
      };
    },
    ctx,
  );
  if (state.status !== 'none' && (await isBlockedEitherWay(deps.store, followerId, followeeId))) {
    // A block appended while this follow was being decided: the block ended the follows it could
    // see, then this one landed. Each side writes its own fact before reading the other's, so one
    // of them always sees the other; here it is the follow, which takes itself back.
    // Answered as the decider answers a block it sees: as an unknown account.
    await endFollowByBlock(deps, followerId, followeeId, ctx);
    throw userNotFound();
  }
  return { status: state.status, position };
};

/** Unfollows, or withdraws a pending request; nothing to undo is not an error. */
export const unfollow = async (deps: CommandDeps, { followerId, username }: FollowInput, ctx: CommandContext): Promise<FollowResult> => {
  const { userId: followeeId } = await findUserByUsername(deps.store, username);
  const { position, state } = await onFollowStream(deps, followerId, followeeId, () => ({ type: 'Unfollow', followerId, followeeId }), ctx);
  return { status: state.status, position };
};
