import type { BlockEvent, BlockState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const blockTransition = (state: BlockState, event: BlockEvent): BlockState | null => {
  switch (event.type) {
    case 'Blocked':
      return state.blocked ? null : { blocked: true };
    case 'Unblocked':
      return state.blocked ? { blocked: false } : null;
  }
};

export const canApplyBlockEvent = (state: BlockState, event: BlockEvent): boolean => blockTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveBlock = (state: BlockState, event: BlockEvent): BlockState => blockTransition(state, event) ?? state;
