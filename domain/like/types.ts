import type { EventsOf } from '../../events/registry.js';
import type { PostFacts } from '../post/post-facts.js';

/** Stream like-{postId}-{userId}: one user's like of one post. */
export interface LikeState {
  liked: boolean;
}

export interface Like {
  type: 'Like';
  postId: string;
  userId: string;
  post: PostFacts;
  now: string;
}

export interface Unlike {
  type: 'Unlike';
  postId: string;
  userId: string;
}

export type LikeCommand = Like | Unlike;

export type LikeEvent = EventsOf<'Liked' | 'Unliked'>;
