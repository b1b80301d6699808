export { blockDecider } from './decider.js';
export { blockTransition, canApplyBlockEvent } from './evolve.js';
export type { Block, BlockCommand, BlockEvent, BlockState, Unblock } from './types.js';
