import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider } from '../decider.js';
import { conflict, forbidden, notFound } from '../../kernel/errors.js';
import { assertPostUsable, type PostFacts } from '../post/post-facts.js';
import { assertParentUsable, type CommentFacts } from './comment-facts.js';
import { parseCommentText } from './comment-text.js';

// ---- Commands

export interface AddComment {
  type: 'AddComment';
  commentId: string;
  postId: string;
  authorId: string;
  text: string;
  /** The comment this one replies to, on the same post; null for a top-level comment. */
  parentCommentId: string | null;
  post: PostFacts;
  /** What the handler found in the parent's stream; only read when parentCommentId is set. */
  parent: CommentFacts | null;
  now: string;
}

export interface DeleteComment {
  type: 'DeleteComment';
  commentId: string;
  actorId: string;
  now: string;
}

export type CommentCommand = AddComment | DeleteComment;

// ---- State

/** Stream comment-{commentId}. The post's author is kept because they may delete any comment on their post. */
export type CommentState =
  | { status: 'none' }
  | {
      status: 'active' | 'deleted';
      commentId: string;
      postId: string;
      authorId: string;
      postAuthorId: string;
      parentCommentId: string | null;
    };

// ---- Events

export type CommentEvent = EventsOf<'CommentAdded' | 'CommentDeleted'>;

// ---- Decide

export const decideComment = (command: CommentCommand, state: CommentState): CommentEvent[] => {
  switch (command.type) {
    case 'AddComment':
      return addComment(command, state);
    case 'DeleteComment':
      return deleteComment(command, state);
    default:
      return unhandled(command);
  }
};

const addComment = (command: AddComment, state: CommentState): CommentEvent[] => {
  if (state.status !== 'none') throw conflict('COMMENT_EXISTS', `Comment ${command.commentId} already exists`);
  const { text, mentions } = parseCommentText(command.text);
  const postAuthorId = assertPostUsable(command.post);
  const { commentId, postId, authorId, parentCommentId, now } = command;
  // A reply whose parent the handler did not find is a reply to nothing.
  if (parentCommentId !== null) assertParentUsable(command.parent ?? { status: 'missing' }, postId);
  return [{ type: 'CommentAdded', data: { commentId, postId, authorId, postAuthorId, parentCommentId, text, mentions, createdAt: now } }];
};

const deleteComment = (command: DeleteComment, state: CommentState): CommentEvent[] => {
  if (state.status === 'none') throw notFound('COMMENT_NOT_FOUND', `No comment ${command.commentId}`);
  // The post's author moderates the comments under it.
  if (command.actorId !== state.authorId && command.actorId !== state.postAuthorId) {
    throw forbidden('NOT_ALLOWED', "Only the comment's author or the post's author may delete it");
  }
  if (state.status === 'deleted') return [];
  const { commentId, postId } = state;
  return [{ type: 'CommentDeleted', data: { commentId, postId, deletedBy: command.actorId, deletedAt: command.now } }];
};

// ---- Transition

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

export const { evolve: evolveComment, canApply: canApplyCommentEvent } = fromTransition(commentTransition);

const initialState = (): CommentState => ({ status: 'none' });

export const commentDecider: Decider<CommentCommand, CommentState, CommentEvent> = {
  decide: decideComment,
  evolve: evolveComment,
  initialState,
};
