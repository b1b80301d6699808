import type pg from 'pg';
import type { PushPublisher } from '../push/push-bus.js';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import type { Projection } from '../runtime/projection.js';
import { foldNotificationFacts } from './batch-facts.js';
import { notificationEventTypes } from './subscribed-events.js';
import { createNotificationsReader } from './notifications-reader.js';
import { setupNotificationsSchema } from './schema.js';
import { writeNotificationFacts, type FreshGroup } from './write-batch.js';

// Notifications (docs/architecture.md "Projections"), in PostgreSQL: each batch is one transaction with its checkpoint.
// Groups that got newer activity are pushed to their recipients after the commit, and never
// during a replay, so that a rebuild sends nothing twice.
export const NOTIFICATIONS = 'notifications';

/** What the deployment chooses (NOTIFICATION_GROUP_WINDOW; its default is configuration's, app/config.ts). */
export interface NotificationsSettings {
  /** Activity of one kind on one target within this window (by the events' own times) forms one group. */
  windowMs: number;
}

export interface NotificationsProjectionOptions extends NotificationsSettings {
  push?: PushPublisher | undefined;
}

const publishFresh = async (pool: pg.Pool, push: PushPublisher, fresh: readonly FreshGroup[]) => {
  const reader = createNotificationsReader(pool);
  for (const group of fresh) {
    const notification = await reader.item(group.recipientId, group.id);
    if (notification) await push.publish([group.recipientId], { type: 'notification', notification: { ...notification } });
  }
};

export const createNotificationsProjection = (pool: pg.Pool, { windowMs, push }: NotificationsProjectionOptions): Projection => ({
  name: NOTIFICATIONS,
  eventTypes: notificationEventTypes,
  setup: () => setupNotificationsSchema(pool),
  async apply(batch, checkpointKey) {
    let fresh: FreshGroup[] = [];
    await applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
      if (batch.events.length > 0) fresh = await writeNotificationFacts(client, foldNotificationFacts(batch.events), windowMs);
    });
    // Best effort, at most once: a push that fails loses nothing the list does not show.
    if (push && !batch.replay && fresh.length > 0) await publishFresh(pool, push, fresh).catch(() => undefined);
  },
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});
