import type { LikeEvent, LikeState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const likeTransition = (state: LikeState, event: LikeEvent): LikeState | null => {
  const liked = event.type === 'Liked';
  return state.liked === liked ? null : { liked };
};

export const canApplyLikeEvent = (state: LikeState, event: LikeEvent): boolean => likeTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveLike = (state: LikeState, event: LikeEvent): LikeState => likeTransition(state, event) ?? state;
