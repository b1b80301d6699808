import type { EventsOf } from '../../events/registry.js';
import type { StoryFacts } from '../story/story-facts.js';

/** Stream storyview-{storyId}-{viewerId}: whether one viewer has seen one story. */
export interface StoryViewState {
  viewed: boolean;
}

export interface ViewStory {
  type: 'ViewStory';
  storyId: string;
  viewerId: string;
  story: StoryFacts;
  now: string;
}

export type StoryViewCommand = ViewStory;

export type StoryViewEvent = EventsOf<'StoryViewed'>;
