import type { EventsOf } from '../../events/registry.js';
import type { PostFacts } from '../post/post-facts.js';
import type { CommentFacts } from './comment-facts.js';

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

export type CommentEvent = EventsOf<'CommentAdded' | 'CommentDeleted'>;
