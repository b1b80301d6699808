import { assertPostUsable } from '../post/post-facts.js';
import type { BookmarkCommand, BookmarkEvent, BookmarkState } from './types.js';

// Bookmarking and unbookmarking are intents, not toggles: repeating one changes nothing.
export const decideBookmark = (command: BookmarkCommand, state: BookmarkState): BookmarkEvent[] => {
  switch (command.type) {
    case 'Bookmark': {
      assertPostUsable(command.post);
      if (state.bookmarked) return [];
      const { userId, postId, now } = command;
      return [{ type: 'Bookmarked', data: { userId, postId, bookmarkedAt: now } }];
    }
    case 'Unbookmark':
      // Allowed whatever became of the post: removing a bookmark only cleans up.
      if (!state.bookmarked) return [];
      return [{ type: 'Unbookmarked', data: { userId: command.userId, postId: command.postId } }];
  }
};
