import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { assertPostUsable, type PostFacts } from '../post/post-facts.js';

// ---- Commands

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

// ---- State

/** Stream bookmark-{userId}-{postId}: whether one user keeps one post in their saved list. */
export interface BookmarkState {
  bookmarked: boolean;
}

// The stream grows with bookmark/unbookmark: snapshotted (domain/decider.ts). Bump the key when BookmarkState changes.
const snapshot: SnapshotPolicy = { key: 'bookmark.v1' };

// ---- Events

export type BookmarkEvent = EventsOf<'Bookmarked' | 'Unbookmarked'>;

// ---- Decide

// Bookmarking and unbookmarking are intents, not toggles: repeating one changes nothing.
export const decideBookmark = (command: BookmarkCommand, state: BookmarkState): BookmarkEvent[] => {
  switch (command.type) {
    case 'Bookmark':
      return bookmark(command, state);
    case 'Unbookmark':
      return unbookmark(command, state);
    default:
      return unhandled(command);
  }
};

const bookmark = (command: Bookmark, state: BookmarkState): BookmarkEvent[] => {
  assertPostUsable(command.post);
  if (state.bookmarked) return [];
  const { userId, postId, now } = command;
  return [{ type: 'Bookmarked', data: { userId, postId, bookmarkedAt: now } }];
};

// Allowed whatever became of the post: removing a bookmark only cleans up.
const unbookmark = ({ userId, postId }: Unbookmark, state: BookmarkState): BookmarkEvent[] =>
  state.bookmarked ? [{ type: 'Unbookmarked', data: { userId, postId } }] : [];

// ---- Transition

export const bookmarkTransition = (state: BookmarkState, event: BookmarkEvent): BookmarkState | null => {
  const bookmarked = event.type === 'Bookmarked';
  return state.bookmarked === bookmarked ? null : { bookmarked };
};

export const { evolve: evolveBookmark, canApply: canApplyBookmarkEvent } = fromTransition(bookmarkTransition);

const initialState = (): BookmarkState => ({ bookmarked: false });

export const bookmarkDecider: Decider<BookmarkCommand, BookmarkState, BookmarkEvent> = {
  decide: decideBookmark,
  evolve: evolveBookmark,
  initialState,
  snapshot,
};
