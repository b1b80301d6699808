import type { EventType } from '../../events/index.js';

// The event types by the streams (and facts) they come from, so that a projection's subscription
// list reads as the families it is built from, each family spelled once. A projection's switch
// over its list ends in `everyTypeHandled` (projection.ts), which keeps the two in step.

/** A user's own stream: registration and profile. */
export const profileEvents = ['UserRegistered', 'ProfileUpdated', 'PrivacyChanged'] as const satisfies readonly EventType[];

/**
 * A user's deletion lifecycle (docs/architecture.md "Account deletion"): the grace period starts,
 * ends by a restore, or ends in the erasure. The read models that list users or their content
 * subscribe to hide the account during the grace and blank it once erased.
 */
export const accountLifecycleEvents = ['AccountDeletionRequested', 'AccountRestored', 'AccountErased'] as const satisfies readonly EventType[];

/** The verified badge an operator sets (npm run admin -- verify): the profiles read model holds it, for profiles and user search. */
export const verificationEvents = ['VerifiedChanged'] as const satisfies readonly EventType[];

/** A user's avatar (its own event, so that the read models that show no pictures need not subscribe). */
export const avatarEvents = ['AvatarChanged'] as const satisfies readonly EventType[];

/** A follow's stream, request to end. */
export const followEvents = [
  'FollowRequested',
  'FollowRequestApproved',
  'FollowRequestRejected',
  'FollowRequestCancelled',
  'Followed',
  'Unfollowed',
] as const satisfies readonly EventType[];

export const blockEvents = ['Blocked', 'Unblocked'] as const satisfies readonly EventType[];

export const muteEvents = ['Muted', 'Unmuted'] as const satisfies readonly EventType[];

/** A post's stream. */
export const postEvents = ['PostCreated', 'CaptionEdited', 'PostDeleted'] as const satisfies readonly EventType[];

/**
 * A post's stream after its creation, for its user tags: a tagged person taken off (the tags
 * themselves come with PostCreated's media items). Apart from postEvents, so that only the read
 * models that show tags subscribe (profiles, notifications).
 */
export const tagEvents = ['TagRemoved'] as const satisfies readonly EventType[];

export const likeEvents = ['Liked', 'Unliked'] as const satisfies readonly EventType[];

export const commentEvents = ['CommentAdded', 'CommentDeleted'] as const satisfies readonly EventType[];

export const bookmarkEvents = ['Bookmarked', 'Unbookmarked'] as const satisfies readonly EventType[];

/** A story's first event: what a share of a post is (POST /posts/{id}/share; its `sharedPost`). */
export const shareEvents = ['StoryPosted'] as const satisfies readonly EventType[];

/** A collection's stream (collection-{id}): its life and the posts filed in it. */
export const collectionEvents = [
  'CollectionCreated',
  'CollectionRenamed',
  'CollectionDeleted',
  'PostAddedToCollection',
  'PostRemovedFromCollection',
] as const satisfies readonly EventType[];
