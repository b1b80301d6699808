import type { EventsOf, EventType, RecordedEvent } from '../../events/index.js';

// The events the profiles read model is built from (usernames come with UserRegistered, so the
// reservation stream is not read; stories belong to the stories read model).
export const profileEventTypes = [
  'UserRegistered',
  'ProfileUpdated',
  'PrivacyChanged',
  'FollowRequested',
  'FollowRequestApproved',
  'FollowRequestRejected',
  'FollowRequestCancelled',
  'Followed',
  'Unfollowed',
  'Blocked',
  'Unblocked',
  'PostCreated',
  'CaptionEdited',
  'PostDeleted',
  'Liked',
  'Unliked',
  'CommentAdded',
  'CommentDeleted',
  'Bookmarked',
  'Unbookmarked',
] as const satisfies readonly EventType[];

export type ProfileEventType = (typeof profileEventTypes)[number];

/** A recorded event narrowed by `type`, so that `switch (event.type)` types its data. */
export type ProfileEvent = { [T in ProfileEventType]: RecordedEvent<EventsOf<T>> }[ProfileEventType];
