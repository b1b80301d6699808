import type { PushPublisher } from '../push/push-bus.js';
import { deleteCheckpoints } from '../runtime/checkpoints-postgres.js';
import { analyzeTables, dropTables, dumpTables } from '../runtime/dump-postgres.js';
import type { ReadModelDefinition } from '../runtime/read-model.js';
import { createNotificationsProjection, NOTIFICATIONS, type NotificationsSettings } from './notifications-projection.js';
import { createNotificationsReader, type NotificationsReader } from './notifications-reader.js';
import { NOTIFICATION_TABLES } from './schema.js';

export interface NotificationsReadModelOptions extends NotificationsSettings {
  push?: PushPublisher | undefined;
}

/** The notifications read model as registered with the platform (and so with the replay CLI). */
export const notificationsReadModel = ({ windowMs, push }: NotificationsReadModelOptions): ReadModelDefinition<NotificationsReader> => ({
  name: NOTIFICATIONS,
  backend: 'postgresql',
  open: ({ pool, mode }) => {
    // A generation being rebuilt pushes nothing: its groups were pushed when they happened.
    const projection = createNotificationsProjection(pool, { windowMs, push: mode === 'live' ? push : undefined, mode });
    return {
      projection,
      reader: createNotificationsReader(pool),
      // An undone action's row keeps whatever details its batch happened to know; only active ones count.
      // A count back at 0 is a row a rebuild whose batches are cut elsewhere may never write.
      dump: () => dumpTables(pool, NOTIFICATION_TABLES, { notification_sources: 'active', notification_blocks: 'active', notification_unread: 'groups <> 0' }),
      analyze: () => analyzeTables(pool, NOTIFICATION_TABLES, { building: mode === 'build' }),
      ...(mode === 'build' ? { finishBuild: () => projection.finishBuild() } : {}),
      async drop() {
        await dropTables(pool, NOTIFICATION_TABLES);
        await deleteCheckpoints(pool, NOTIFICATIONS);
      },
    };
  },
});
