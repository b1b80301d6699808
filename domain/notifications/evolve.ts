import type { NotificationsEvent, NotificationsState } from './types.js';

export const evolveNotifications = (state: NotificationsState, event: NotificationsEvent): NotificationsState => {
  const { upTo, ids } = event.data;
  if (ids !== undefined) return state;
  const later = state.allReadUpTo === null || Date.parse(upTo) > Date.parse(state.allReadUpTo);
  return later ? { allReadUpTo: upTo } : state;
};
