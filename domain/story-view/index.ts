export { storyViewDecider } from './decider.js';
export { canApplyStoryViewEvent, storyViewTransition } from './evolve.js';
export type { StoryViewCommand, StoryViewEvent, StoryViewState, ViewStory } from './types.js';
