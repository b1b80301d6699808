import type { Decider } from '../decider.js';
import { decidePost } from './decide.js';
import { evolvePost } from './evolve.js';
import type { PostCommand, PostEvent, PostState } from './types.js';

export const postDecider: Decider<PostCommand, PostState, PostEvent> = {
  decide: decidePost,
  evolve: evolvePost,
  initialState: () => ({ status: 'none' }),
};
