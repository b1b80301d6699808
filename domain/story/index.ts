export { storyDecider } from './decider.js';
export { canApplyStoryEvent, storyTransition } from './evolve.js';
export { storyFacts } from './story-facts.js';
export type { StoryFacts } from './story-facts.js';
export { expiryOf, isBefore } from './story-time.js';
export type { DeleteStory, ExpireStory, PostStory, StoryCommand, StoryEvent, StoryState } from './types.js';
