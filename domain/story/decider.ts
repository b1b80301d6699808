import type { Decider } from '../decider.js';
import { decideStory } from './decide.js';
import { evolveStory } from './evolve.js';
import type { StoryCommand, StoryEvent, StoryState } from './types.js';

export const storyDecider: Decider<StoryCommand, StoryState, StoryEvent> = {
  decide: decideStory,
  evolve: evolveStory,
  initialState: () => ({ status: 'none' }),
};
