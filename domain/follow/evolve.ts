import type { FollowEvent, FollowState } from './types.js';

/**
 * The follow state machine: the state an event leads to, or null when the event is not a
 * legal move from this state. An approval does not change the state by itself: it is always
 * appended together with the Followed that makes the follow (requested -> following).
 */
export const followTransition = (state: FollowState, event: FollowEvent): FollowState | null => {
  const from = state.status;
  switch (event.type) {
    case 'FollowRequested':
      return from === 'none' ? { status: 'requested' } : null;
    case 'FollowRequestApproved':
      return from === 'requested' ? state : null;
    case 'Followed':
      return from === 'none' || from === 'requested' ? { status: 'following' } : null;
    case 'FollowRequestRejected':
    case 'FollowRequestCancelled':
      return from === 'requested' ? { status: 'none' } : null;
    case 'Unfollowed':
      return from === 'following' ? { status: 'none' } : null;
  }
};

export const canApplyFollowEvent = (state: FollowState, event: FollowEvent): boolean => followTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveFollow = (state: FollowState, event: FollowEvent): FollowState => followTransition(state, event) ?? state;
