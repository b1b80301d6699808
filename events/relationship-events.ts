import { z } from 'zod';
import { id, timestamp } from './fields.js';

// follow-{followerId}-{followeeId}
const pair = { followerId: id, followeeId: id };
export const FollowRequested = z.object({ ...pair, requestedAt: timestamp });
export const FollowRequestApproved = z.object({ ...pair, approvedAt: timestamp });
export const FollowRequestRejected = z.object(pair);
// `reason` values are only ever added (an old event stays valid): 'account-erased' is a follow or
// request ended by the erasure of either side's account (workers/erasure).
/** Withdrawn by the requester, ended by a block, or by an account's erasure (`reason`). */
export const FollowRequestCancelled = z.object({ ...pair, reason: z.enum(['withdrawn', 'blocked', 'account-erased']) });
export const Followed = z.object({ ...pair, followedAt: timestamp });
export const Unfollowed = z.object({ ...pair, reason: z.enum(['unfollowed', 'blocked', 'account-erased']) });

// block-{blockerId}-{blockedId}
export const Blocked = z.object({ blockerId: id, blockedId: id, blockedAt: timestamp });
export const Unblocked = z.object({ blockerId: id, blockedId: id });

// mute-{muterId}-{mutedId}: the muter stops seeing the muted account's posts and stories in their
// home feed and stories tray; nothing else changes (no follow ends, the muted account is not told).
export const Muted = z.object({ muterId: id, mutedId: id, mutedAt: timestamp });
export const Unmuted = z.object({ muterId: id, mutedId: id });

// hashtagfollow-{userId}-{tag}: the user's home feed takes in the tag's posts from public accounts,
// each marked with the tag (docs/architecture.md "Feed"). `tag` is normalised as a caption's
// hashtags are (kernel/hashtags.ts `normalizeHashtag`): lowercase, without '#'.
export const HashtagFollowed = z.object({ userId: id, tag: z.string().min(1), followedAt: timestamp });
export const HashtagUnfollowed = z.object({ userId: id, tag: z.string().min(1) });
