import { blockDecider } from '../../domain/block/block.js';
import { followDecider } from '../../domain/follow/follow.js';
import { maxPosition, streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername } from '../facts.js';
import { handleCommand } from '../handle-command.js';

/**
 * Blocks, then ends follows and pending requests both ways. The three streams cannot be
 * appended atomically; if the process dies in between, the read path still enforces the block,
 * and repeating the block (which appends nothing to the block stream) finishes the cleanup.
 */
export const block = async (deps: CommandDeps, blockerId: string, username: string, ctx: CommandContext): Promise<{ position: Position }> => {
  const blocked = await findUserByUsername(deps.store, username);
  const blockedId = blocked.userId;
  const result = await handleCommand(
    deps.store,
    streams.block(blockerId, blockedId),
    blockDecider,
    () => ({ type: 'Block', blockerId, blockedId, now: ctx.now }),
    ctx,
  );
  const endFollow = (followerId: string, followeeId: string) =>
    handleCommand(
      deps.store,
      streams.follow(followerId, followeeId),
      followDecider,
      () => ({ type: 'EndFollowByBlock', followerId, followeeId }),
      ctx,
    );
  const ended = await Promise.all([endFollow(blockerId, blockedId), endFollow(blockedId, blockerId)]);
  return { position: maxPosition(result.position, ...ended.map((r) => r.position)) };
};

export const unblock = async (deps: CommandDeps, blockerId: string, username: string, ctx: CommandContext): Promise<{ position: Position }> => {
  const blocked = await findUserByUsername(deps.store, username);
  const { position } = await handleCommand(
    deps.store,
    streams.block(blockerId, blocked.userId),
    blockDecider,
    () => ({ type: 'Unblock', blockerId, blockedId: blocked.userId }),
    ctx,
  );
  return { position };
};
