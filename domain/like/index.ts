export { likeDecider } from './decider.js';
export { canApplyLikeEvent, likeTransition } from './evolve.js';
export type { Like, LikeCommand, LikeEvent, LikeState, Unlike } from './types.js';
