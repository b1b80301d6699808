import { forbidden, notFound, ruleBroken } from '../errors.js';
import type { ApproveFollowRequest, Follow, FollowCommand, FollowEvent, FollowState, RejectFollowRequest } from './types.js';

export const decideFollow = (command: FollowCommand, state: FollowState): FollowEvent[] => {
  const pair = { followerId: command.followerId, followeeId: command.followeeId };
  switch (command.type) {
    case 'Follow':
      return follow(command, state);
    case 'Unfollow':
      if (state.status === 'following') return [{ type: 'Unfollowed', data: { ...pair, reason: 'unfollowed' } }];
      if (state.status === 'requested') return [{ type: 'FollowRequestCancelled', data: { ...pair, reason: 'withdrawn' } }];
      return [];
    case 'ApproveFollowRequest':
      return approve(command, state);
    case 'RejectFollowRequest':
      return reject(command, state);
    case 'EndFollowByBlock':
      if (state.status === 'following') return [{ type: 'Unfollowed', data: { ...pair, reason: 'blocked' } }];
      if (state.status === 'requested') return [{ type: 'FollowRequestCancelled', data: { ...pair, reason: 'blocked' } }];
      return [];
  }
};

const follow = (command: Follow, state: FollowState): FollowEvent[] => {
  const { followerId, followeeId, now } = command;
  if (followerId === followeeId) throw ruleBroken('CANNOT_FOLLOW_SELF', 'You cannot follow yourself');
  if (command.blocked) throw forbidden('BLOCKED', 'You cannot follow this account');
  // A second tap on "Follow" (or a retried request) must not create a second follow or request.
  if (state.status !== 'none') return [];
  if (command.followeeIsPrivate) return [{ type: 'FollowRequested', data: { followerId, followeeId, requestedAt: now } }];
  return [{ type: 'Followed', data: { followerId, followeeId, followedAt: now } }];
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
