import type { EventsOf } from '../../events/registry.js';
import type { PostFacts } from '../post/post-facts.js';

/** Stream bookmark-{userId}-{postId}: whether one user keeps one post in their saved list. */
export interface BookmarkState {
  bookmarked: boolean;
}

export interface Bookmark {
  type: 'Bookmark';
  userId: string;
  postId: string;
  post: PostFacts;
  now: string;
}

export interface Unbookmark {
  type: 'Unbookmark';
  userId: string;
  postId: string;
}

export type BookmarkCommand = Bookmark | Unbookmark;

export type BookmarkEvent = EventsOf<'Bookmarked' | 'Unbookmarked'>;
