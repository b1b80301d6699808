import type { Decider } from '../decider.js';
import { decideNotifications } from './decide.js';
import { evolveNotifications } from './evolve.js';
import type { NotificationsCommand, NotificationsEvent, NotificationsState } from './types.js';

export const notificationsDecider: Decider<NotificationsCommand, NotificationsState, NotificationsEvent> = {
  decide: decideNotifications,
  evolve: evolveNotifications,
  initialState: () => ({ allReadUpTo: null }),
};
