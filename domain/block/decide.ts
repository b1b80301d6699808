import { ruleBroken } from '../errors.js';
import type { BlockCommand, BlockEvent, BlockState } from './types.js';

// Ending the follows between the two is not decided here: the handler sends EndFollowByBlock
// to both follow streams after Blocked, since those are other aggregates.
export const decideBlock = (command: BlockCommand, state: BlockState): BlockEvent[] => {
  const { blockerId, blockedId } = command;
  switch (command.type) {
    case 'Block':
      if (blockerId === blockedId) throw ruleBroken('CANNOT_BLOCK_SELF', 'You cannot block yourself');
      return state.blocked ? [] : [{ type: 'Blocked', data: { blockerId, blockedId, blockedAt: command.now } }];
    case 'Unblock':
      return state.blocked ? [{ type: 'Unblocked', data: { blockerId, blockedId } }] : [];
  }
};
