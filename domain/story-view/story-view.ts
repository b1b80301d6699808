import type { EventsOf } from '../../events/registry.js';
import { assertAccess } from '../access.js';
import { fromTransition, unhandled, type Decider } from '../decider.js';
import { notFound, ruleBroken } from '../../kernel/errors.js';
import type { StoryFacts } from '../story/story-facts.js';
import { isBefore } from '../story/story-time.js';

// ---- Commands

export interface ViewStory {
  type: 'ViewStory';
  storyId: string;
  viewerId: string;
  story: StoryFacts;
  now: string;
}

export type StoryViewCommand = ViewStory;

// ---- State

/** Stream storyview-{storyId}-{viewerId}: whether one viewer has seen one story. */
export interface StoryViewState {
  viewed: boolean;
}

// ---- Events

export type StoryViewEvent = EventsOf<'StoryViewed'>;

// ---- Decide

export const decideStoryView = (command: StoryViewCommand, state: StoryViewState): StoryViewEvent[] => {
  switch (command.type) {
    case 'ViewStory':
      return viewStory(command, state);
    default:
      return unhandled(command.type);
  }
};

type LiveStory = Extract<StoryFacts, { authorId: string }>;

/** Refuses a view of a story that is gone, over, or hidden from the viewer; returns it otherwise. */
const assertStoryViewable = (story: StoryFacts, storyId: string, now: string): LiveStory => {
  // One answer for a story that is not there and one a block hides (domain/access.ts).
  const storyNotFound = () => notFound('STORY_NOT_FOUND', 'No such story');
  switch (story.status) {
    case 'missing':
    case 'deleted':
      throw storyNotFound();
    case 'active':
    case 'expired':
      // Due counts as over even before the expiry process has appended StoryExpired.
      if (story.status === 'expired' || !isBefore(now, story.expiresAt)) throw ruleBroken('STORY_EXPIRED', `Story ${storyId} has expired`);
      assertAccess(story.access, 'this story', storyNotFound);
      return story;
  }
};

const viewStory = (command: ViewStory, state: StoryViewState): StoryViewEvent[] => {
  const { storyId, viewerId, now } = command;
  const story = assertStoryViewable(command.story, storyId, now);
  // Authors see their own stories without appearing among their viewers.
  if (viewerId === story.authorId) return [];
  if (state.viewed) return [];
  return [{ type: 'StoryViewed', data: { storyId, authorId: story.authorId, viewerId, viewedAt: now } }];
};

// ---- Transition

export const storyViewTransition = (state: StoryViewState, event: StoryViewEvent): StoryViewState | null => {
  switch (event.type) {
    case 'StoryViewed':
      return state.viewed ? null : { viewed: true };
  }
};

export const { evolve: evolveStoryView, canApply: canApplyStoryViewEvent } = fromTransition(storyViewTransition);

const initialState = (): StoryViewState => ({ viewed: false });

export const storyViewDecider: Decider<StoryViewCommand, StoryViewState, StoryViewEvent> = {
  decide: decideStoryView,
  evolve: evolveStoryView,
  initialState,
};
