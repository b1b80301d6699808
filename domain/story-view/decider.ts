import type { Decider } from '../decider.js';
import { decideStoryView } from './decide.js';
import { evolveStoryView } from './evolve.js';
import type { StoryViewCommand, StoryViewEvent, StoryViewState } from './types.js';

export const storyViewDecider: Decider<StoryViewCommand, StoryViewState, StoryViewEvent> = {
  decide: decideStoryView,
  evolve: evolveStoryView,
  initialState: () => ({ viewed: false }),
};
