import type { EventsOf, EventType } from '../../events/index.js';
import { blockEvents, commentEvents, followEvents, likeEvents, postEvents, shareEvents, tagEvents } from '../runtime/event-families.js';

// What the notifications read model reads: the activities that notify someone, the facts that
// say whom (post and comment authors, usernames for mentions) or hide them (deletions, blocks),
// and the user's own read marks; and an account's lifecycle (a deleting account's part is hidden,
// an erased account's groups and part are gone: docs/architecture.md "Account deletion").
export const notificationEventTypes = [
  'UserRegistered',
  'ProfileUpdated',
  'AccountDeletionRequested',
  'AccountRestored',
  'AccountErased',
  ...postEvents,
  ...likeEvents,
  ...commentEvents,
  ...followEvents,
  ...blockEvents,
  ...shareEvents,
  ...tagEvents,
  'NotificationsRead',
] as const satisfies readonly EventType[];

export type NotificationEvent = EventsOf<(typeof notificationEventTypes)[number]>;

export const notificationKinds = ['like', 'comment', 'reply', 'follow', 'follow_request', 'mention', 'share', 'tagged'] as const;
export type NotificationKind = (typeof notificationKinds)[number];
