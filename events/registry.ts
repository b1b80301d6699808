import type { z } from 'zod';
import type { DecidedEvent } from './envelope.js';
import * as collection from './collection-events.js';
import * as engagement from './engagement-events.js';
import * as media from './media-events.js';
import * as notification from './notification-events.js';
import * as post from './post-events.js';
import * as relationship from './relationship-events.js';
import * as story from './story-events.js';
import * as user from './user-events.js';

// Every event type the platform knows, with the schema of its current version. A type's data
// is never changed in place: a new version gets a new schema here and an upcaster from the old
// one in upcasters.ts. An optional field added to a type (StoryPosted's `sharedPost`) is not a
// change of its data: every stored event still parses as it is, so the version stays.
// PostCreated's v3 (the optional `location`) was numbered before that rule was written down; its
// upcaster from v2 is the identity, and it stays so that events written as v3 keep their version.
// Its media items' `tags` (user tags, issue 17) came under that rule: optional, so still v3.
export const eventSchemas = {
  UserRegistered: { version: 1, schema: user.UserRegistered },
  ProfileUpdated: { version: 1, schema: user.ProfileUpdated },
  PrivacyChanged: { version: 1, schema: user.PrivacyChanged },
  VerifiedChanged: { version: 1, schema: user.VerifiedChanged },
  AccountDeletionRequested: { version: 1, schema: user.AccountDeletionRequested },
  AccountRestored: { version: 1, schema: user.AccountRestored },
  AccountErased: { version: 1, schema: user.AccountErased },
  UsernameReserved: { version: 1, schema: user.UsernameReserved },
  UsernameReleased: { version: 1, schema: user.UsernameReleased },
  FollowRequested: { version: 1, schema: relationship.FollowRequested },
  FollowRequestApproved: { version: 1, schema: relationship.FollowRequestApproved },
  FollowRequestRejected: { version: 1, schema: relationship.FollowRequestRejected },
  FollowRequestCancelled: { version: 1, schema: relationship.FollowRequestCancelled },
  Followed: { version: 1, schema: relationship.Followed },
  Unfollowed: { version: 1, schema: relationship.Unfollowed },
  Blocked: { version: 1, schema: relationship.Blocked },
  Unblocked: { version: 1, schema: relationship.Unblocked },
  Muted: { version: 1, schema: relationship.Muted },
  Unmuted: { version: 1, schema: relationship.Unmuted },
  PostCreated: { version: 3, schema: post.PostCreated },
  CaptionEdited: { version: 1, schema: post.CaptionEdited },
  PostDeleted: { version: 1, schema: post.PostDeleted },
  TagRemoved: { version: 1, schema: post.TagRemoved },
  Liked: { version: 1, schema: engagement.Liked },
  Unliked: { version: 1, schema: engagement.Unliked },
  CommentAdded: { version: 1, schema: engagement.CommentAdded },
  CommentDeleted: { version: 1, schema: engagement.CommentDeleted },
  Bookmarked: { version: 1, schema: engagement.Bookmarked },
  Unbookmarked: { version: 1, schema: engagement.Unbookmarked },
  CollectionCreated: { version: 1, schema: collection.CollectionCreated },
  CollectionRenamed: { version: 1, schema: collection.CollectionRenamed },
  CollectionDeleted: { version: 1, schema: collection.CollectionDeleted },
  PostAddedToCollection: { version: 1, schema: collection.PostAddedToCollection },
  PostRemovedFromCollection: { version: 1, schema: collection.PostRemovedFromCollection },
  StoryPosted: { version: 1, schema: story.StoryPosted },
  StoryViewed: { version: 1, schema: story.StoryViewed },
  StoryDeleted: { version: 1, schema: story.StoryDeleted },
  StoryExpired: { version: 1, schema: story.StoryExpired },
  NotificationsRead: { version: 1, schema: notification.NotificationsRead },
  AvatarChanged: { version: 1, schema: user.AvatarChanged },
  MediaUploadRequested: { version: 1, schema: media.MediaUploadRequested },
  MediaUploaded: { version: 1, schema: media.MediaUploaded },
  MediaProcessed: { version: 1, schema: media.MediaProcessed },
  MediaRejected: { version: 1, schema: media.MediaRejected },
  MediaAttached: { version: 1, schema: media.MediaAttached },
  MediaReleased: { version: 1, schema: media.MediaReleased },
  MediaDeleted: { version: 1, schema: media.MediaDeleted },
  MediaExpired: { version: 1, schema: media.MediaExpired },
} as const;

type Schemas = typeof eventSchemas;
export type EventType = keyof Schemas;
export const eventTypes = Object.keys(eventSchemas) as EventType[];

/** The data of one event type at its current version. */
export type EventData<T extends EventType> = z.infer<Schemas[T]['schema']>;

/** Every domain event, as a string-literal union on `type`. */
export type DomainEvent = { [T in EventType]: DecidedEvent<T, EventData<T>> }[EventType];

/** Narrow the union to some of its types: `EventsOf<'Liked' | 'Unliked'>`. */
export type EventsOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

export const currentVersion = (type: EventType): number => eventSchemas[type].version;
