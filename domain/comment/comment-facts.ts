import { invalid, notFound, ruleBroken } from '../../kernel/errors.js';
import type { CommentState } from './comment.js';

/** What a handler learned about the comment a reply answers. */
export type CommentFacts = { status: 'missing' } | { status: 'deleted' } | { status: 'active'; postId: string };

export const commentFacts = (state: CommentState): CommentFacts => {
  switch (state.status) {
    case 'none':
      return { status: 'missing' };
    case 'deleted':
      return { status: 'deleted' };
    case 'active':
      return { status: 'active', postId: state.postId };
  }
};

/** Refuses a reply to a comment that is gone or that belongs to another post. */
export const assertParentUsable = (parent: CommentFacts, postId: string): void => {
  switch (parent.status) {
    case 'missing':
      throw notFound('COMMENT_NOT_FOUND', 'The comment replied to does not exist');
    case 'deleted':
      throw ruleBroken('COMMENT_DELETED', 'The comment replied to was deleted');
    case 'active':
      if (parent.postId !== postId) {
        const message = 'A reply must answer a comment on the same post';
        throw invalid('PARENT_ON_OTHER_POST', message, [{ path: 'parentCommentId', message }]);
      }
  }
};
