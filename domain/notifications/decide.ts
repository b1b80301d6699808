import type { NotificationsCommand, NotificationsEvent, NotificationsState } from './types.js';

const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

// Marking read never fails: nothing a user may have been notified of lies in the future, so
// `upTo` is capped at `now`, and marking everything read again up to an instant already covered
// changes nothing (no event), which keeps repeated taps from growing the stream.
export const decideNotifications = (command: NotificationsCommand, state: NotificationsState): NotificationsEvent[] => {
  const upTo = command.upTo === undefined ? command.now : earlier(command.upTo, command.now);
  const ids = command.ids === undefined ? undefined : [...new Set(command.ids)];
  if (ids === undefined && state.allReadUpTo !== null && Date.parse(upTo) <= Date.parse(state.allReadUpTo)) return [];
  return [{ type: 'NotificationsRead', data: { userId: command.userId, upTo, ...(ids ? { ids } : {}) } }];
};
