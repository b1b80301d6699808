export { foldNotificationFacts, sourceIds, ALL_GROUPS } from './batch-facts.js';
export { notificationEventTypes, type NotificationKind } from './subscribed-events.js';
export { notificationText } from './notification-text.js';
export {
  createNotificationsProjection,
  NOTIFICATIONS,
  type NotificationsProjection,
  type NotificationsProjectionOptions,
  type NotificationsSettings,
} from './notifications-projection.js';
export { ACTORS_SHOWN, createNotificationsReader, type NotificationActor, type NotificationItem, type NotificationsReader } from './notifications-reader.js';
export { NOTIFICATION_TABLES, NOTIFICATIONS_SCHEMA, notificationTables } from './schema.js';
export { notificationsReadModel, type NotificationsReadModelOptions } from './notifications-read-model.js';
