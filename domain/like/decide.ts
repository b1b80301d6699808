import { assertPostUsable } from '../post/post-facts.js';
import type { LikeCommand, LikeEvent, LikeState } from './types.js';

// Liking and unliking are intents, not toggles: repeating one changes nothing.
export const decideLike = (command: LikeCommand, state: LikeState): LikeEvent[] => {
  switch (command.type) {
    case 'Like': {
      const postAuthorId = assertPostUsable(command.post);
      if (state.liked) return [];
      const { postId, userId, now } = command;
      return [{ type: 'Liked', data: { postId, userId, postAuthorId, likedAt: now } }];
    }
    case 'Unlike':
      // Allowed whatever became of the post: taking a like back only cleans up.
      if (!state.liked) return [];
      return [{ type: 'Unliked', data: { postId: command.postId, userId: command.userId } }];
  }
};
