export { assertParentUsable, commentFacts } from './comment-facts.js';
export type { CommentFacts } from './comment-facts.js';
export { COMMENT_MAX_LENGTH, parseCommentText } from './comment-text.js';
export { commentDecider } from './decider.js';
export { canApplyCommentEvent, commentTransition } from './evolve.js';
export type { AddComment, CommentCommand, CommentEvent, CommentState, DeleteComment } from './types.js';
