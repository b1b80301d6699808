import type { Decider } from '../decider.js';
import { decideFollow } from './decide.js';
import { evolveFollow } from './evolve.js';
import type { FollowCommand, FollowEvent, FollowState } from './types.js';

export const followDecider: Decider<FollowCommand, FollowState, FollowEvent> = {
  decide: decideFollow,
  evolve: evolveFollow,
  initialState: () => ({ status: 'none' }),
};
