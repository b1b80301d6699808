import type { Decider } from '../decider.js';
import { decideBlock } from './decide.js';
import { evolveBlock } from './evolve.js';
import type { BlockCommand, BlockEvent, BlockState } from './types.js';

export const blockDecider: Decider<BlockCommand, BlockState, BlockEvent> = {
  decide: decideBlock,
  evolve: evolveBlock,
  initialState: () => ({ blocked: false }),
};
