import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { invalid, ruleBroken } from '../../kernel/errors.js';
import { normalizeHashtag } from '../../kernel/hashtags.js';

// Following a hashtag: the tag's posts from public accounts join the follower's home feed, each
// marked with the tag (docs/architecture.md "Feed"). Intents, not toggles, as mutes are: a second
// follow (or an unfollow of what is not followed) emits nothing. The cap on followed tags is counted
// by the caller from the profiles read model (commands/graph/hashtag-follow.ts) and handed in.

// ---- Commands

export interface FollowHashtag {
  type: 'FollowHashtag';
  userId: string;
  /** As normalizeHashtag answers it (the route normalises; checked again here). */
  tag: string;
  /** Tags the user follows now (as the read model counts them) and the cap (kernel/limits.ts HASHTAG_FOLLOWS_MAX). */
  followed: { count: number; max: number };
  now: string;
}

/** Needs no facts: it only ever cleans up. */
export interface UnfollowHashtag {
  type: 'UnfollowHashtag';
  userId: string;
  tag: string;
}

export type HashtagFollowCommand = FollowHashtag | UnfollowHashtag;

// ---- State

/** Stream hashtagfollow-{userId}-{tag}. */
export interface HashtagFollowState {
  following: boolean;
}

// The stream grows with follow/unfollow: snapshotted (domain/decider.ts). Bump the key when the state changes.
const snapshot: SnapshotPolicy = { key: 'hashtagFollow.v1' };

// ---- Events

export type HashtagFollowEvent = EventsOf<'HashtagFollowed' | 'HashtagUnfollowed'>;

// ---- Decide

/** The tag as a caption would carry it, or 400 INVALID_HASHTAG naming the field. */
export const assertHashtag = (tag: string): string => {
  const normal = normalizeHashtag(tag);
  if (normal === null || normal !== tag) throw invalid('INVALID_HASHTAG', 'Not a hashtag', [{ path: 'tag', message: 'letters, marks, digits and _ only, at most 100' }]);
  return normal;
};

export const decideHashtagFollow = (command: HashtagFollowCommand, state: HashtagFollowState): HashtagFollowEvent[] => {
  switch (command.type) {
    case 'FollowHashtag':
      return follow(command, state);
    case 'UnfollowHashtag':
      return unfollow(command, state);
    default:
      return unhandled(command);
  }
};

const follow = ({ userId, tag, followed, now }: FollowHashtag, state: HashtagFollowState): HashtagFollowEvent[] => {
  assertHashtag(tag);
  // A repeat is not one more tag: the cap is checked only for a follow that would add one.
  if (state.following) return [];
  if (followed.count >= followed.max) throw ruleBroken('HASHTAG_FOLLOWS_LIMIT_REACHED', `You follow ${followed.max} hashtags already`);
  return [{ type: 'HashtagFollowed', data: { userId, tag, followedAt: now } }];
};

const unfollow = ({ userId, tag }: UnfollowHashtag, state: HashtagFollowState): HashtagFollowEvent[] =>
  state.following ? [{ type: 'HashtagUnfollowed', data: { userId, tag } }] : [];

// ---- Transition

export const hashtagFollowTransition = (state: HashtagFollowState, event: HashtagFollowEvent): HashtagFollowState | null => {
  switch (event.type) {
    case 'HashtagFollowed':
      return state.following ? null : { following: true };
    case 'HashtagUnfollowed':
      return state.following ? { following: false } : null;
  }
};

export const { evolve: evolveHashtagFollow, canApply: canApplyHashtagFollowEvent } = fromTransition(hashtagFollowTransition);

const initialState = (): HashtagFollowState => ({ following: false });

export const hashtagFollowDecider: Decider<HashtagFollowCommand, HashtagFollowState, HashtagFollowEvent> = {
  decide: decideHashtagFollow,
  evolve: evolveHashtagFollow,
  initialState,
  snapshot,
};
