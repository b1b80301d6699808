import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { forbidden, notFound, ruleBroken } from '../../kernel/errors.js';
import { userNotFound } from '../user/user.js';

// ---- Commands

export interface Follow {
  type: 'Follow';
  followerId: string;
  followeeId: string;
  followeeIsPrivate: boolean;
  /** A block exists between the two, in either direction (read from both block streams). */
  blocked: boolean;
  /**
   * Accounts the follower follows or asked to follow, and the cap (kernel/limits.ts
   * FOLLOWING_MAX): the handler always gives it (commands/graph/follow.ts); absent, not checked.
   */
  following?: { count: number; max: number };
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

/**
 * Sent to both follow streams of a pair when one of them blocks the other (`blocked`), or by the
 * erasure worker to every follow stream of an account being erased, either side (`account-erased`).
 */
export interface EndFollow {
  type: 'EndFollow';
  followerId: string;
  followeeId: string;
  reason: 'blocked' | 'account-erased';
}

export type FollowCommand = Follow | Unfollow | ApproveFollowRequest | RejectFollowRequest | EndFollow;

// ---- State

/** Stream follow-{followerId}-{followeeId}. */
export interface FollowState {
  status: 'none' | 'requested' | 'following';
}

// The stream grows with follow/unfollow, request/withdraw: snapshotted (domain/decider.ts). Bump the key when FollowState changes.
const snapshot: SnapshotPolicy = { key: 'follow.v1' };

// ---- Events

export type FollowEvent = EventsOf<
  'FollowRequested' | 'FollowRequestApproved' | 'FollowRequestRejected' | 'FollowRequestCancelled' | 'Followed' | 'Unfollowed'
>;

// ---- Decide

export const decideFollow = (command: FollowCommand, state: FollowState): FollowEvent[] => {
  switch (command.type) {
    case 'Follow':
      return follow(command, state);
    case 'Unfollow':
      return unfollow(command, state);
    case 'ApproveFollowRequest':
      return approve(command, state);
    case 'RejectFollowRequest':
      return reject(command, state);
    case 'EndFollow':
      return endFollow(command, state);
    default:
      return unhandled(command);
  }
};

const follow = (command: Follow, state: FollowState): FollowEvent[] => {
  const { followerId, followeeId, now } = command;
  if (followerId === followeeId) throw ruleBroken('CANNOT_FOLLOW_SELF', 'You cannot follow yourself');
  // A block, either way, answers as an unknown account (domain/access.ts).
  if (command.blocked) throw userNotFound();
  // A second tap on "Follow" (or a retried request) must not create a second follow or request.
  if (state.status !== 'none') return [];
  // A pending request counts: approving it later makes a follow without asking again.
  if (command.following && command.following.count >= command.following.max) {
    throw ruleBroken('FOLLOWING_LIMIT_REACHED', `You can follow at most ${command.following.max} accounts`);
  }
  if (command.followeeIsPrivate) return [{ type: 'FollowRequested', data: { followerId, followeeId, requestedAt: now } }];
  return [{ type: 'Followed', data: { followerId, followeeId, followedAt: now } }];
};

const unfollow = ({ followerId, followeeId }: Unfollow, state: FollowState): FollowEvent[] => {
  if (state.status === 'following') return [{ type: 'Unfollowed', data: { followerId, followeeId, reason: 'unfollowed' } }];
  if (state.status === 'requested') return [{ type: 'FollowRequestCancelled', data: { followerId, followeeId, reason: 'withdrawn' } }];
  return [];
};

// The block (or the erasure) is decided elsewhere; this only ends the follow or request it ends.
const endFollow = ({ followerId, followeeId, reason }: EndFollow, state: FollowState): FollowEvent[] => {
  if (state.status === 'following') return [{ type: 'Unfollowed', data: { followerId, followeeId, reason } }];
  if (state.status === 'requested') return [{ type: 'FollowRequestCancelled', data: { followerId, followeeId, reason } }];
  return [];
};

const assertFolloweeActs = (command: ApproveFollowRequest | RejectFollowRequest): void => {
  if (command.actorId !== command.followeeId) throw forbidden('NOT_OWNER', 'Only the requested account may answer a follow request');
};

// Approval emits the decision and the follow it causes, so that every reader of follows
// (feeds, counts) reacts to Followed alone, however the follow came about.
const approve = (command: ApproveFollowRequest, state: FollowState): FollowEvent[] => {
  assertFolloweeActs(command);
  const { followerId, followeeId, now } = command;
  if (state.status === 'following') return [];
  if (state.status === 'none') throw notFound('FOLLOW_REQUEST_NOT_FOUND', 'No pending follow request from this account');
  return [
    { type: 'FollowRequestApproved', data: { followerId, followeeId, approvedAt: now } },
    { type: 'Followed', data: { followerId, followeeId, followedAt: now } },
  ];
};

const reject = (command: RejectFollowRequest, state: FollowState): FollowEvent[] => {
  assertFolloweeActs(command);
  if (state.status !== 'requested') throw notFound('FOLLOW_REQUEST_NOT_FOUND', 'No pending follow request from this account');
  return [{ type: 'FollowRequestRejected', data: { followerId: command.followerId, followeeId: command.followeeId } }];
};

// ---- Transition

/**
 * The follow state machine. An approval does not change the state by itself: it is always
 * appended together with the Followed that makes the follow (requested -> following).
 */
export const followTransition = (state: FollowState, event: FollowEvent): FollowState | null => {
  const from = state.status;
  switch (event.type) {
    case 'FollowRequested':
      return from === 'none' ? { status: 'requested' } : null;
    case 'FollowRequestApproved':
      return from === 'requested' ? state : null;
    case 'Followed':
      return from === 'none' || from === 'requested' ? { status: 'following' } : null;
    case 'FollowRequestRejected':
    case 'FollowRequestCancelled':
      return from === 'requested' ? { status: 'none' } : null;
    case 'Unfollowed':
      return from === 'following' ? { status: 'none' } : null;
  }
};

export const { evolve: evolveFollow, canApply: canApplyFollowEvent } = fromTransition(followTransition);

const initialState = (): FollowState => ({ status: 'none' });

export const followDecider: Decider<FollowCommand, FollowState, FollowEvent> = { decide: decideFollow, evolve: evolveFollow, initialState, snapshot };
