import type { UsernameEvent, UsernameState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const usernameTransition = (state: UsernameState, event: UsernameEvent): UsernameState | null => {
  switch (event.type) {
    case 'UsernameReserved':
      return state.holder === null ? { holder: event.data.userId } : null;
    case 'UsernameReleased':
      return state.holder === event.data.userId ? { holder: null } : null;
  }
};

export const canApplyUsernameEvent = (state: UsernameState, event: UsernameEvent): boolean =>
  usernameTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveUsername = (state: UsernameState, event: UsernameEvent): UsernameState =>
  usernameTransition(state, event) ?? state;
