import type pg from 'pg';
import type { PushPublisher } from '../push/push-bus.js';
import { finishPostgresBuild, setUpPostgresSchema } from '../runtime/build-schema.js';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction, inTransaction } from '../runtime/postgres-transaction.js';
import type { Projection } from '../runtime/projection.js';
import type { GenerationStorage } from '../runtime/read-model.js';
import { WrittenKeys } from '../runtime/written-keys.js';
import { foldNotificationFacts } from './batch-facts.js';
import { notificationEventTypes } from './subscribed-events.js';
import { createNotificationsReader } from './notifications-reader.js';
import { NOTIFICATIONS_SCHEMA } from './schema.js';
import { deriveEveryNotification, storeNotificationFacts, writeNotificationFacts, type FreshGroup, type WrittenNotificationRows } from './write-batch.js';

// Notifications (docs/architecture.md "Projections"), in PostgreSQL: each batch is one transaction with its checkpoint.
// Groups that got newer activity are pushed to their recipients after the commit, and never
// during a replay, so that a rebuild sends nothing twice.
//
// A generation built from the start of the log (mode 'build') serves nothing before finishBuild,
// so its batches only store their facts and sources, and finishBuild derives everything once,
// set-based, from what the pass stored (write-batch.ts deriveEveryNotification): rebuilding a
// group from its sources at every batch that adds to it costs what the group holds, each time.
// Batches applied after finishBuild (a `verify` round, the replay CLI's handover) derive as live
// ones do, since the derived state is then there to keep up. Until then the pass is the
// generation's only writer: the keys it has written tell which rows are new (write-batch.ts appendNew).
export const NOTIFICATIONS = 'notifications';

/** What the deployment chooses (NOTIFICATION_GROUP_WINDOW; its default is configuration's, app/config.ts). */
export interface NotificationsSettings {
  /** Activity of one kind on one target within this window (by the events' own times) forms one group. */
  windowMs: number;
}

export interface NotificationsProjectionOptions extends NotificationsSettings {
  push?: PushPublisher | undefined;
  /** The generation's mode: 'build' sets up the bulk-load shape and derives at finishBuild. */
  mode?: GenerationStorage['mode'];
}

export interface NotificationsProjection extends Projection {
  /** Mode 'build': derives what the batches stored, brings the tables to their serving shape (build-schema.ts). Idempotent. */
  finishBuild(): Promise<void>;
}

const publishFresh = async (pool: pg.Pool, push: PushPublisher, fresh: readonly FreshGroup[]) => {
  const reader = createNotificationsReader(pool);
  for (const group of fresh) {
    const notification = await reader.item(group.recipientId, group.id);
    if (notification) await push.publish([group.recipientId], { type: 'notification', notification: { ...notification } });
  }
};

export const createNotificationsProjection = (pool: pg.Pool, { windowMs, push, mode = 'live' }: NotificationsProjectionOptions): NotificationsProjection => {
  let deriving = mode !== 'build';
  const written: WrittenNotificationRows | undefined = mode === 'build' ? new WrittenKeys() : undefined;
  return {
    name: NOTIFICATIONS,
    eventTypes: notificationEventTypes,
    setup: () => setUpPostgresSchema(pool, NOTIFICATIONS_SCHEMA, mode),
    async apply(batch, checkpointKey) {
      let fresh: FreshGroup[] = [];
      await applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
        if (batch.events.length === 0) return;
        const facts = foldNotificationFacts(batch.events);
        if (deriving) fresh = await writeNotificationFacts(client, facts, windowMs);
        else await storeNotificationFacts(client, facts, written);
      });
      // Best effort, at most once: a push that fails loses nothing the list does not show.
      if (push && !batch.replay && fresh.length > 0) await publishFresh(pool, push, fresh).catch(() => undefined);
    },
    checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
    async finishBuild() {
      // Once it may serve, the projector processes write into it too.
      written?.close();
      await inTransaction(pool, (client) => deriveEveryNotification(client, windowMs));
      await finishPostgresBuild(pool, NOTIFICATIONS_SCHEMA);
      deriving = true;
    },
  };
};
