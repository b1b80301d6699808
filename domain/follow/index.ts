export { followDecider } from './decider.js';
export { canApplyFollowEvent, followTransition } from './evolve.js';
export type {
  ApproveFollowRequest,
  EndFollowByBlock,
  Follow,
  FollowCommand,
  FollowEvent,
  FollowState,
  RejectFollowRequest,
  Unfollow,
} from './types.js';
