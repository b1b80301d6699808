import type { MediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider } from '../decider.js';
import { conflict, forbidden, notFound, ruleBroken } from '../../kernel/errors.js';
import { assertShareable, type ShareablePost } from './shared-post.js';
import { expiryOf, isBefore } from './story-time.js';

// ---- Commands

export interface PostStory {
  type: 'PostStory';
  storyId: string;
  authorId: string;
  media: MediaItem;
  now: string;
  /** STORY_TTL: how long the story stays up (24 hours unless configured otherwise). */
  ttlMs: number;
}

/** A story that shows someone's post (POST /posts/{id}/share): decided on the post's facts. */
export interface SharePost {
  type: 'SharePost';
  storyId: string;
  sharerId: string;
  post: ShareablePost;
  now: string;
  ttlMs: number;
}

export interface DeleteStory {
  type: 'DeleteStory';
  storyId: string;
  actorId: string;
  now: string;
}

/** Sent by the expiry process when it believes a story is due. */
export interface ExpireStory {
  type: 'ExpireStory';
  storyId: string;
  now: string;
}

export type StoryCommand = PostStory | SharePost | DeleteStory | ExpireStory;

// ---- State

/** Stream story-{storyId}. */
export type StoryState =
  | { status: 'none' }
  | {
      status: 'active' | 'deleted' | 'expired';
      storyId: string;
      authorId: string;
      media: MediaItem;
      postedAt: string;
      expiresAt: string;
    };

// ---- Events

export type StoryEvent = EventsOf<'StoryPosted' | 'StoryDeleted' | 'StoryExpired'>;

// ---- Decide

export const decideStory = (command: StoryCommand, state: StoryState): StoryEvent[] => {
  switch (command.type) {
    case 'PostStory':
      return postStory(command, state);
    case 'SharePost':
      return sharePost(command, state);
    case 'DeleteStory':
      return deleteStory(command, state);
    case 'ExpireStory':
      return expireStory(command, state);
    default:
      return unhandled(command);
  }
};

const storyNotFound = (storyId: string) => notFound('STORY_NOT_FOUND', `No story ${storyId}`);

const postStory = (command: PostStory, state: StoryState): StoryEvent[] => {
  if (state.status !== 'none') throw conflict('STORY_EXISTS', `Story ${command.storyId} already exists`);
  const { storyId, authorId, media, now } = command;
  return [{ type: 'StoryPosted', data: { storyId, authorId, media, postedAt: now, expiresAt: expiryOf(now, command.ttlMs) } }];
};

const sharePost = (command: SharePost, state: StoryState): StoryEvent[] => {
  if (state.status !== 'none') throw conflict('STORY_EXISTS', `Story ${command.storyId} already exists`);
  const { storyId, sharerId, post, now } = command;
  const { authorId, media } = assertShareable(sharerId, post);
  const data = { storyId, authorId: sharerId, media, postedAt: now, expiresAt: expiryOf(now, command.ttlMs), sharedPost: { postId: post.postId, authorId } };
  return [{ type: 'StoryPosted', data }];
};

const deleteStory = (command: DeleteStory, state: StoryState): StoryEvent[] => {
  if (state.status === 'none') throw storyNotFound(command.storyId);
  if (command.actorId !== state.authorId) throw forbidden('NOT_AUTHOR', 'Only the author may delete this story');
  if (state.status === 'deleted') return [];
  // An expired story can still be deleted: it stays in the author's archive until then.
  return [{ type: 'StoryDeleted', data: { storyId: state.storyId, authorId: state.authorId, deletedAt: command.now } }];
};

const expireStory = (command: ExpireStory, state: StoryState): StoryEvent[] => {
  if (state.status === 'none') throw storyNotFound(command.storyId);
  // Whatever ended the story first, it ended once: a late or repeated expiry changes nothing.
  if (state.status !== 'active') return [];
  if (isBefore(command.now, state.expiresAt)) {
    throw ruleBroken('STORY_NOT_DUE', `Story ${state.storyId} expires at ${state.expiresAt}`);
  }
  // The fact's time, not the processing time: the event reads the same whenever the expiry process runs.
  return [{ type: 'StoryExpired', data: { storyId: state.storyId, authorId: state.authorId, expiredAt: state.expiresAt } }];
};

// ---- Transition

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

export const { evolve: evolveStory, canApply: canApplyStoryEvent } = fromTransition(storyTransition);

const initialState = (): StoryState => ({ status: 'none' });

export const storyDecider: Decider<StoryCommand, StoryState, StoryEvent> = { decide: decideStory, evolve: evolveStory, initialState };
