import { followDecider } from '../../domain/follow/follow.js';
import { streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername } from '../facts.js';
import { handleCommand } from '../handle-command.js';

/** The owner of a private account answers `requesterUsername`'s request. */
export const answerFollowRequest = async (
  deps: CommandDeps,
  ownerId: string,
  requesterUsername: string,
  answer: 'approve' | 'reject',
  ctx: CommandContext,
): Promise<{ position: Position }> => {
  const requester = await findUserByUsername(deps.store, requesterUsername);
  const pair = { actorId: ownerId, followerId: requester.userId, followeeId: ownerId };
  const { position } = await handleCommand(
    deps.store,
    streams.follow(requester.userId, ownerId),
    followDecider,
    () =>
      answer === 'approve'
        ? { type: 'ApproveFollowRequest' as const, ...pair, now: ctx.now }
        : { type: 'RejectFollowRequest' as const, ...pair },
    ctx,
  );
  return { position };
};
