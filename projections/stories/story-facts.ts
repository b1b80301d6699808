import type { MediaItem } from '../../events/index.js';
import type { SharedPost } from './stories-store.js';
import { everyTypeHandled } from '../runtime/projection.js';
import { msOf } from './story-records.js';
import type { StoriesEvent } from './stories-store.js';

// The stories projection's fold (the "fold a batch, then write it in bulk" shape of
// runtime/projection.ts): a batch of events boiled down to what the adapters write: per story, the facts its own stream
// has told so far; per (story, viewer), one view. Merging a story's events into one record per
// batch lets an adapter write each story once, and deduplicating lets a batch that repeats an
// event (it was applied before a crash) write nothing new.

export interface StoryFact {
  storyId: string;
  authorId: string;
  posted?: { media: MediaItem; postedAtMs: number; expiresAtMs: number; sharedPost: SharedPost | null };
  deletedAtMs?: number;
  expiredAtMs?: number;
}

export interface ViewFact {
  storyId: string;
  viewerId: string;
  viewedAtMs: number;
}

/** What one batch writes: one record per story, one per (story, viewer). */
export interface StoryBatch {
  stories: StoryFact[];
  views: ViewFact[];
}

export const storyFactsOf = (events: readonly StoriesEvent[]): StoryBatch => {
  const stories = new Map<string, StoryFact>();
  const views = new Map<string, ViewFact>();
  const storyFact = (storyId: string, authorId: string): StoryFact => {
    const fact = stories.get(storyId) ?? { storyId, authorId };
    stories.set(storyId, fact);
    return fact;
  };
  for (const event of events) {
    switch (event.type) {
      case 'StoryPosted': {
        const { storyId, authorId, media, postedAt, expiresAt, sharedPost } = event.data;
        storyFact(storyId, authorId).posted = { media, postedAtMs: msOf(postedAt), expiresAtMs: msOf(expiresAt), sharedPost: sharedPost ?? null };
        break;
      }
      case 'StoryDeleted':
        storyFact(event.data.storyId, event.data.authorId).deletedAtMs = msOf(event.data.deletedAt);
        break;
      case 'StoryExpired':
        storyFact(event.data.storyId, event.data.authorId).expiredAtMs = msOf(event.data.expiredAt);
        break;
      case 'StoryViewed': {
        const { storyId, viewerId, viewedAt } = event.data;
        views.set(`${storyId} ${viewerId}`, { storyId, viewerId, viewedAtMs: msOf(viewedAt) });
        break;
      }
      default:
        everyTypeHandled(event);
    }
  }
  return { stories: [...stories.values()], views: [...views.values()] };
};

export const hasEnded = (fact: StoryFact): boolean => fact.deletedAtMs !== undefined || fact.expiredAtMs !== undefined;
