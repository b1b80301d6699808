import { conflict, forbidden, notFound } from '../errors.js';
import { assertPostUsable } from '../post/post-facts.js';
import { assertParentUsable } from './comment-facts.js';
import { parseCommentText } from './comment-text.js';
import type { CommentCommand, CommentEvent, CommentState } from './types.js';

export const decideComment = (command: CommentCommand, state: CommentState): CommentEvent[] => {
  switch (command.type) {
    case 'AddComment': {
      if (state.status !== 'none') throw conflict('COMMENT_EXISTS', `Comment ${command.commentId} already exists`);
      const { text, mentions } = parseCommentText(command.text);
      const postAuthorId = assertPostUsable(command.post);
      const { commentId, postId, authorId, parentCommentId, now } = command;
      // A reply whose parent the handler did not find is a reply to nothing.
      if (parentCommentId !== null) assertParentUsable(command.parent ?? { status: 'missing' }, postId);
      return [
        {
          type: 'CommentAdded',
          data: { commentId, postId, authorId, postAuthorId, parentCommentId, text, mentions, createdAt: now },
        },
      ];
    }
    case 'DeleteComment': {
      if (state.status === 'none') throw notFound('COMMENT_NOT_FOUND', `No comment ${command.commentId}`);
      // The post's author moderates the comments under it.
      if (command.actorId !== state.authorId && command.actorId !== state.postAuthorId) {
        throw forbidden('NOT_ALLOWED', "Only the comment's author or the post's author may delete it");
      }
      if (state.status === 'deleted') return [];
      const { commentId, postId } = state;
      return [{ type: 'CommentDeleted', data: { commentId, postId, deletedBy: command.actorId, deletedAt: command.now } }];
    }
  }
};
