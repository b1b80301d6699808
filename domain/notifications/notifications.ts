import type { EventsOf } from '../../events/registry.js';
import { unhandled, type Decider, type SnapshotPolicy } from '../decider.js';

// ---- Commands

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

// ---- State

/** Stream notifications-{userId}: how far the user has marked everything read. */
export interface NotificationsState {
  /** The latest `upTo` of a mark that covered every notification; null before the first. */
  allReadUpTo: string | null;
}

// The stream grows with every mark-read: snapshotted (domain/decider.ts). Bump the key when NotificationsState changes.
const snapshot: SnapshotPolicy = { key: 'notifications.v1' };

// ---- Events

export type NotificationsEvent = EventsOf<'NotificationsRead'>;

// ---- Decide

export const decideNotifications = (command: NotificationsCommand, state: NotificationsState): NotificationsEvent[] => {
  switch (command.type) {
    case 'MarkNotificationsRead':
      return markRead(command, state);
    default:
      return unhandled(command.type);
  }
};

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

// Marking read never fails: nothing a user may have been notified of lies in the future, so
// `upTo` is capped at `now`, and marking everything read again up to an instant already covered
// changes nothing (no event), which keeps repeated taps from growing the stream.
const markRead = (command: MarkNotificationsRead, state: NotificationsState): NotificationsEvent[] => {
  const upTo = command.upTo === undefined ? command.now : earlier(command.upTo, command.now);
  const ids = command.ids === undefined ? undefined : [...new Set(command.ids)];
  if (ids === undefined && state.allReadUpTo !== null && Date.parse(upTo) <= Date.parse(state.allReadUpTo)) return [];
  return [{ type: 'NotificationsRead', data: { userId: command.userId, upTo, ...(ids ? { ids } : {}) } }];
};

// ---- Evolve

// No strict transition: any mark is a legal move from any state; only a mark of everything,
// later than the last one, moves the state on.
export const evolveNotifications = (state: NotificationsState, event: NotificationsEvent): NotificationsState => {
  const { upTo, ids } = event.data;
  if (ids !== undefined) return state;
  const later = state.allReadUpTo === null || Date.parse(upTo) > Date.parse(state.allReadUpTo);
  return later ? { allReadUpTo: upTo } : state;
};

const initialState = (): NotificationsState => ({ allReadUpTo: null });

export const notificationsDecider: Decider<NotificationsCommand, NotificationsState, NotificationsEvent> = {
  decide: decideNotifications,
  evolve: evolveNotifications,
  initialState,
  snapshot,
};
