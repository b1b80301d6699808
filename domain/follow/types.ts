import type { EventsOf } from '../../events/registry.js';

/** Stream follow-{followerId}-{followeeId}. */
export interface FollowState {
  status: 'none' | 'requested' | 'following';
}

export interface Follow {
  type: 'Follow';
  followerId: string;
  followeeId: string;
  followeeIsPrivate: boolean;
  /** A block exists between the two, in either direction (read from both block streams). */
  blocked: boolean;
  now: string;
}

export interface Unfollow {
  type: 'Unfollow';
  followerId: string;
  followeeId: string;
}

export interface ApproveFollowRequest {
  type: 'ApproveFollowRequest';
  actorId: string;
  followerId: string;
  followeeId: string;
  now: string;
}

export interface RejectFollowRequest {
  type: 'RejectFollowRequest';
  actorId: string;
  followerId: string;
  followeeId: string;
}

/** Sent to both follow streams of a pair when one of them blocks the other. */
export interface EndFollowByBlock {
  type: 'EndFollowByBlock';
  followerId: string;
  followeeId: string;
}

export type FollowCommand = Follow | Unfollow | ApproveFollowRequest | RejectFollowRequest | EndFollowByBlock;

export type FollowEvent = EventsOf<
  'FollowRequested' | 'FollowRequestApproved' | 'FollowRequestRejected' | 'FollowRequestCancelled' | 'Followed' | 'Unfollowed'
>;
