import type { StoryViewEvent, StoryViewState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const storyViewTransition = (state: StoryViewState, event: StoryViewEvent): StoryViewState | null => {
  switch (event.type) {
    case 'StoryViewed':
      return state.viewed ? null : { viewed: true };
  }
};

export const canApplyStoryViewEvent = (state: StoryViewState, event: StoryViewEvent): boolean =>
  storyViewTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveStoryView = (state: StoryViewState, event: StoryViewEvent): StoryViewState =>
  storyViewTransition(state, event) ?? state;
