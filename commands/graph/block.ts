import { blockDecider } from '../../domain/block/block.js';
import { maxPosition, streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername } from '../facts.js';
import { answerWithPosition, handleCommand } from '../handle-command.js';
import { assertRegisteredActor } from '../registered-actor.js';
import { endFollowByBlock } from './follow.js';

/** Who blocks (or unblocks) whom, the other account named as in the route. */
export interface BlockInput {
  blockerId: string;
  username: string;
}

/**
 * Blocks, then ends follows and pending requests both ways. The three streams cannot be
 * appended atomically; if the process dies in between, the read path still enforces the block,
 * and repeating the block (which appends nothing to the block stream) finishes the cleanup.
 */
export const block = async (deps: CommandDeps, { blockerId, username }: BlockInput, ctx: CommandContext): Promise<{ position: Position }> => {
  const [{ userId: blockedId }] = await Promise.all([findUserByUsername(deps.store, username), assertRegisteredActor(deps.store, blockerId)]);
  const result = await handleCommand({
    store: deps.store,
    stream: streams.block(blockerId, blockedId),
    decider: blockDecider,
    command: () => ({ type: 'Block', blockerId, blockedId }),
    ctx,
  });
  const ended = await Promise.all([endFollowByBlock(deps, blockerId, blockedId, ctx), endFollowByBlock(deps, blockedId, blockerId, ctx)]);
  return { position: maxPosition(result.position, ...ended.map((r) => r.position)) };
};

export const unblock = async (deps: CommandDeps, { blockerId, username }: BlockInput, ctx: CommandContext): Promise<{ position: Position }> => {
  const { userId: blockedId } = await findUserByUsername(deps.store, username);
  return answerWithPosition(
    {},
    { store: deps.store, stream: streams.block(blockerId, blockedId), decider: blockDecider, command: () => ({ type: 'Unblock', blockerId, blockedId }), ctx },
  );
};
