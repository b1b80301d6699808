export { notificationsDecider } from './decider.js';
export type { MarkNotificationsRead, NotificationsCommand, NotificationsEvent, NotificationsState } from './types.js';
