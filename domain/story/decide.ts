import { conflict, forbidden, notFound, ruleBroken } from '../errors.js';
import { expiryOf, isBefore } from './story-time.js';
import type { StoryCommand, StoryEvent, StoryState } from './types.js';

const storyNotFound = (storyId: string) => notFound('STORY_NOT_FOUND', `No story ${storyId}`);

export const decideStory = (command: StoryCommand, state: StoryState): StoryEvent[] => {
  switch (command.type) {
    case 'PostStory': {
      if (state.status !== 'none') throw conflict('STORY_EXISTS', `Story ${command.storyId} already exists`);
      const { storyId, authorId, media, now } = command;
      return [{ type: 'StoryPosted', data: { storyId, authorId, media, postedAt: now, expiresAt: expiryOf(now, command.ttlMs) } }];
    }
    case 'DeleteStory': {
      if (state.status === 'none') throw storyNotFound(command.storyId);
      if (command.actorId !== state.authorId) throw forbidden('NOT_AUTHOR', 'Only the author may delete this story');
      if (state.status === 'deleted') return [];
      // An expired story can still be deleted: it stays in the author's archive until then.
      return [{ type: 'StoryDeleted', data: { storyId: state.storyId, authorId: state.authorId, deletedAt: command.now } }];
    }
    case 'ExpireStory': {
      if (state.status === 'none') throw storyNotFound(command.storyId);
      // Whatever ended the story first, it ended once: a late or repeated expiry changes nothing.
      if (state.status !== 'active') return [];
      if (isBefore(command.now, state.expiresAt)) {
        throw ruleBroken('STORY_NOT_DUE', `Story ${state.storyId} expires at ${state.expiresAt}`);
      }
      // The fact's time, not the processing time: the event reads the same whenever the expiry process runs.
      return [{ type: 'StoryExpired', data: { storyId: state.storyId, authorId: state.authorId, expiredAt: state.expiresAt } }];
    }
  }
};
