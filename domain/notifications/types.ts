import type { EventsOf } from '../../events/registry.js';

/** Stream notifications-{userId}: how far the user has marked everything read. */
export interface NotificationsState {
  /** The latest `upTo` of a mark that covered every notification; null before the first. */
  allReadUpTo: string | null;
}

export interface MarkNotificationsRead {
  type: 'MarkNotificationsRead';
  userId: string;
  /** The groups to mark; every notification when absent. */
  ids?: readonly string[] | undefined;
  /** Marks only activity at or before this instant; `now` when absent. */
  upTo?: string | undefined;
  now: string;
}

export type NotificationsCommand = MarkNotificationsRead;

export type NotificationsEvent = EventsOf<'NotificationsRead'>;
