import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { assertPostUsable, type PostFacts } from '../post/post-facts.js';

// ---- Commands

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

// ---- State

/** Stream like-{postId}-{userId}: one user's like of one post. */
export interface LikeState {
  liked: boolean;
}

// The stream grows with like/unlike: snapshotted (domain/decider.ts). Bump the key when LikeState changes.
const snapshot: SnapshotPolicy = { key: 'like.v1' };

// ---- Events

export type LikeEvent = EventsOf<'Liked' | 'Unliked'>;

// ---- Decide

// Liking and unliking are intents, not toggles: repeating one changes nothing.
export const decideLike = (command: LikeCommand, state: LikeState): LikeEvent[] => {
  switch (command.type) {
    case 'Like':
      return like(command, state);
    case 'Unlike':
      return unlike(command, state);
    default:
      return unhandled(command);
  }
};

const like = (command: Like, state: LikeState): LikeEvent[] => {
  const postAuthorId = assertPostUsable(command.post);
  if (state.liked) return [];
  const { postId, userId, now } = command;
  return [{ type: 'Liked', data: { postId, userId, postAuthorId, likedAt: now } }];
};

// Allowed whatever became of the post: taking a like back only cleans up.
const unlike = ({ postId, userId }: Unlike, state: LikeState): LikeEvent[] =>
  state.liked ? [{ type: 'Unliked', data: { postId, userId } }] : [];

// ---- Transition

export const likeTransition = (state: LikeState, event: LikeEvent): LikeState | null => {
  const liked = event.type === 'Liked';
  return state.liked === liked ? null : { liked };
};

export const { evolve: evolveLike, canApply: canApplyLikeEvent } = fromTransition(likeTransition);

const initialState = (): LikeState => ({ liked: false });

export const likeDecider: Decider<LikeCommand, LikeState, LikeEvent> = { decide: decideLike, evolve: evolveLike, initialState, snapshot };
