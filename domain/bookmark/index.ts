export { bookmarkDecider } from './decider.js';
export { bookmarkTransition, canApplyBookmarkEvent } from './evolve.js';
export type { Bookmark, BookmarkCommand, BookmarkEvent, BookmarkState, Unbookmark } from './types.js';
