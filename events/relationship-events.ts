import { z } from 'zod';
import { id, timestamp } from './fields.js';

// follow-{followerId}-{followeeId}
const pair = { followerId: id, followeeId: id };
export const FollowRequested = z.object({ ...pair, requestedAt: timestamp });
export const FollowRequestApproved = z.object({ ...pair, approvedAt: timestamp });
export const FollowRequestRejected = z.object(pair);
/** Withdrawn by the requester, or ended by a block (`reason`). */
export const FollowRequestCancelled = z.object({ ...pair, reason: z.enum(['withdrawn', 'blocked']) });
export const Followed = z.object({ ...pair, followedAt: timestamp });
export const Unfollowed = z.object({ ...pair, reason: z.enum(['unfollowed', 'blocked']) });

// block-{blockerId}-{blockedId}
export const Blocked = z.object({ blockerId: id, blockedId: id, blockedAt: timestamp });
export const Unblocked = z.object({ blockerId: id, blockedId: id });
