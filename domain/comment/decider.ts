import type { Decider } from '../decider.js';
import { decideComment } from './decide.js';
import { evolveComment } from './evolve.js';
import type { CommentCommand, CommentEvent, CommentState } from './types.js';

export const commentDecider: Decider<CommentCommand, CommentState, CommentEvent> = {
  decide: decideComment,
  evolve: evolveComment,
  initialState: () => ({ status: 'none' }),
};
