import type { Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername } from '../facts.js';
import { assertRegisteredActor } from '../registered-actor.js';
import { onFollowStream } from './follow.js';

export interface FollowRequestAnswer {
  /** The private account asked. */
  ownerId: string;
  requesterUsername: string;
  answer: 'approve' | 'reject';
}

/** The owner of a private account answers `requesterUsername`'s request. */
export const answerFollowRequest = async (
  deps: CommandDeps,
  { ownerId, requesterUsername, answer }: FollowRequestAnswer,
  ctx: CommandContext,
): Promise<{ position: Position }> => {
  // Approving makes a follow; rejecting only ends a request (as undoing does, open to an account in its deletion grace).
  if (answer === 'approve') await assertRegisteredActor(deps.store, ownerId);
  const requester = await findUserByUsername(deps.store, requesterUsername);
  const pair = { actorId: ownerId, followerId: requester.userId, followeeId: ownerId };
  const { position } = await onFollowStream(
    deps,
    requester.userId,
    ownerId,
    () => (answer === 'approve' ? { type: 'ApproveFollowRequest', ...pair } : { type: 'RejectFollowRequest', ...pair }),
    ctx,
  );
  return { position };
};
