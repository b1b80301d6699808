import type { MediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';

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

export interface PostStory {
  type: 'PostStory';
  storyId: string;
  authorId: string;
  media: MediaItem;
  now: string;
  /** STORY_TTL: how long the story stays up (24 hours unless configured otherwise). */
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

export type StoryCommand = PostStory | DeleteStory | ExpireStory;

export type StoryEvent = EventsOf<'StoryPosted' | 'StoryDeleted' | 'StoryExpired'>;
