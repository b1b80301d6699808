import type { BookmarkEvent, BookmarkState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const bookmarkTransition = (state: BookmarkState, event: BookmarkEvent): BookmarkState | null => {
  const bookmarked = event.type === 'Bookmarked';
  return state.bookmarked === bookmarked ? null : { bookmarked };
};

export const canApplyBookmarkEvent = (state: BookmarkState, event: BookmarkEvent): boolean =>
  bookmarkTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveBookmark = (state: BookmarkState, event: BookmarkEvent): BookmarkState =>
  bookmarkTransition(state, event) ?? state;
