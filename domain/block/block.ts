import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { ruleBroken } from '../../kernel/errors.js';

// ---- Commands

export interface Block {
  type: 'Block';
  blockerId: string;
  blockedId: string;
  now: string;
}

export interface Unblock {
  type: 'Unblock';
  blockerId: string;
  blockedId: string;
}

export type BlockCommand = Block | Unblock;

// ---- State

/** Stream block-{blockerId}-{blockedId}: one direction only; "blocked either way" reads both. */
export interface BlockState {
  blocked: boolean;
}

// The stream grows with block/unblock: snapshotted (domain/decider.ts). Bump the key when BlockState changes.
const snapshot: SnapshotPolicy = { key: 'block.v1' };

// ---- Events

export type BlockEvent = EventsOf<'Blocked' | 'Unblocked'>;

// ---- Decide

// Ending the follows between the two is not decided here: the handler (commands/graph/block.ts)
// sends EndFollow (reason blocked) to both follow streams after Blocked, since those are other aggregates.
export const decideBlock = (command: BlockCommand, state: BlockState): BlockEvent[] => {
  switch (command.type) {
    case 'Block':
      return block(command, state);
    case 'Unblock':
      return unblock(command, state);
    default:
      return unhandled(command);
  }
};

const block = ({ blockerId, blockedId, now }: Block, state: BlockState): BlockEvent[] => {
  if (blockerId === blockedId) throw ruleBroken('CANNOT_BLOCK_SELF', 'You cannot block yourself');
  return state.blocked ? [] : [{ type: 'Blocked', data: { blockerId, blockedId, blockedAt: now } }];
};

const unblock = ({ blockerId, blockedId }: Unblock, state: BlockState): BlockEvent[] =>
  state.blocked ? [{ type: 'Unblocked', data: { blockerId, blockedId } }] : [];

// ---- Transition

export const blockTransition = (state: BlockState, event: BlockEvent): BlockState | null => {
  switch (event.type) {
    case 'Blocked':
      return state.blocked ? null : { blocked: true };
    case 'Unblocked':
      return state.blocked ? { blocked: false } : null;
  }
};

export const { evolve: evolveBlock, canApply: canApplyBlockEvent } = fromTransition(blockTransition);

const initialState = (): BlockState => ({ blocked: false });

export const blockDecider: Decider<BlockCommand, BlockState, BlockEvent> = { decide: decideBlock, evolve: evolveBlock, initialState, snapshot };
