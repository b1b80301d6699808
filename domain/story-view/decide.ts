import { assertAccess } from '../access.js';
import { notFound, ruleBroken } from '../errors.js';
import type { StoryFacts } from '../story/story-facts.js';
import { isBefore } from '../story/story-time.js';
import type { StoryViewCommand, StoryViewEvent, StoryViewState } from './types.js';

type LiveStory = Extract<StoryFacts, { authorId: string }>;

/** Refuses a view of a story that is gone, over, or hidden from the viewer; returns it otherwise. */
const assertStoryViewable = (story: StoryFacts, storyId: string, now: string): LiveStory => {
  switch (story.status) {
    case 'missing':
    case 'deleted':
      throw notFound('STORY_NOT_FOUND', `No story ${storyId}`);
    case 'active':
    case 'expired':
      // Due counts as over even before the expiry process has appended StoryExpired.
      if (story.status === 'expired' || !isBefore(now, story.expiresAt)) throw ruleBroken('STORY_EXPIRED', `Story ${storyId} has expired`);
      assertAccess(story.access, 'this story');
      return story;
  }
};

export const decideStoryView = (command: StoryViewCommand, state: StoryViewState): StoryViewEvent[] => {
  const { storyId, viewerId, now } = command;
  const story = assertStoryViewable(command.story, storyId, now);
  // Authors see their own stories without appearing among their viewers.
  if (viewerId === story.authorId) return [];
  if (state.viewed) return [];
  return [{ type: 'StoryViewed', data: { storyId, authorId: story.authorId, viewerId, viewedAt: now } }];
};
