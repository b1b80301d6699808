import type { StoryEvent, StoryState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const storyTransition = (state: StoryState, event: StoryEvent): StoryState | null => {
  switch (event.type) {
    case 'StoryPosted': {
      if (state.status !== 'none') return null;
      const { storyId, authorId, media, postedAt, expiresAt } = event.data;
      return { status: 'active', storyId, authorId, media, postedAt, expiresAt };
    }
    case 'StoryDeleted':
      return state.status === 'active' || state.status === 'expired' ? { ...state, status: 'deleted' } : null;
    case 'StoryExpired':
      return state.status === 'active' ? { ...state, status: 'expired' } : null;
  }
};

export const canApplyStoryEvent = (state: StoryState, event: StoryEvent): boolean => storyTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveStory = (state: StoryState, event: StoryEvent): StoryState => storyTransition(state, event) ?? state;
