import type { UserEvent, UserState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const userTransition = (state: UserState, event: UserEvent): UserState | null => {
  switch (event.type) {
    case 'UserRegistered': {
      if (state.status !== 'none') return null;
      const { userId, username, displayName } = event.data;
      return { status: 'active', userId, username, displayName, bio: '', private: false };
    }
    case 'ProfileUpdated': {
      if (state.status !== 'active') return null;
      const { displayName, bio } = event.data;
      return { ...state, displayName: displayName ?? state.displayName, bio: bio ?? state.bio };
    }
    case 'PrivacyChanged':
      return state.status === 'active' ? { ...state, private: event.data.private } : null;
  }
};

export const canApplyUserEvent = (state: UserState, event: UserEvent): boolean => userTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveUser = (state: UserState, event: UserEvent): UserState => userTransition(state, event) ?? state;
