import type { Decider } from '../decider.js';
import { decideLike } from './decide.js';
import { evolveLike } from './evolve.js';
import type { LikeCommand, LikeEvent, LikeState } from './types.js';

export const likeDecider: Decider<LikeCommand, LikeState, LikeEvent> = {
  decide: decideLike,
  evolve: evolveLike,
  initialState: () => ({ liked: false }),
};
