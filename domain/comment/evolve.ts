import type { CommentEvent, CommentState } from './types.js';

/** The state an event leads to, or null when decide could never have emitted it here. */
export const commentTransition = (state: CommentState, event: CommentEvent): CommentState | null => {
  switch (event.type) {
    case 'CommentAdded': {
      if (state.status !== 'none') return null;
      const { commentId, postId, authorId, postAuthorId, parentCommentId } = event.data;
      return { status: 'active', commentId, postId, authorId, postAuthorId, parentCommentId };
    }
    case 'CommentDeleted':
      return state.status === 'active' ? { ...state, status: 'deleted' } : null;
  }
};

export const canApplyCommentEvent = (state: CommentState, event: CommentEvent): boolean =>
  commentTransition(state, event) !== null;

// Lenient: a stored history is a fact, so an event that makes no sense here is skipped
// rather than breaking every later read of the stream.
export const evolveComment = (state: CommentState, event: CommentEvent): CommentState =>
  commentTransition(state, event) ?? state;
