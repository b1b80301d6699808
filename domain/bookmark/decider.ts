import type { Decider } from '../decider.js';
import { decideBookmark } from './decide.js';
import { evolveBookmark } from './evolve.js';
import type { BookmarkCommand, BookmarkEvent, BookmarkState } from './types.js';

export const bookmarkDecider: Decider<BookmarkCommand, BookmarkState, BookmarkEvent> = {
  decide: decideBookmark,
  evolve: evolveBookmark,
  initialState: () => ({ bookmarked: false }),
};
