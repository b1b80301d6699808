import type pg from 'pg';
import type { EventsOf, EventType, RecordedEvent } from '../../events/index.js';
import { loadCheckpoint } from '../runtime/checkpoints-postgres.js';
import { applyInTransaction } from '../runtime/postgres-transaction.js';
import { everyTypeHandled, type Projection } from '../runtime/projection.js';
import type { GenerationStorage } from '../runtime/read-model.js';
import { setupMediaSchema } from './media-schema.js';

// The 'media' projection (docs/architecture.md "Media"): each upload's status for its owner
// (GET /api/v1/media/{mediaId}) and for the sweeper (stale uploads). Each row is written only by
// its own stream, one guarded statement per event (there are few media events per upload), in
// one transaction with the checkpoint.
export const MEDIA = 'media';

export const mediaEventTypes = [
  'MediaUploadRequested',
  'MediaUploaded',
  'MediaProcessed',
  'MediaRejected',
  'MediaAttached',
  'MediaReleased',
  'MediaDeleted',
  'MediaExpired',
] as const satisfies readonly EventType[];

type MediaEventType = (typeof mediaEventTypes)[number];
type MediaRecorded = { [T in MediaEventType]: RecordedEvent<EventsOf<T>> }[MediaEventType];

const handled = new Set<string>(mediaEventTypes);
const isMediaEvent = (event: RecordedEvent): event is MediaRecorded => handled.has(event.type);

const REQUESTED = `insert into media (media_id, owner_id, purpose, status, filename, declared_type, declared_size, original_key,
  requested_at, upload_expires_at, updated_at, revision)
  values ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $8, $10)
  on conflict (media_id) do nothing`;

/** An update of the row by a later event of its stream: applied once, in stream order. */
const update = (client: pg.PoolClient, event: MediaRecorded, set: string, values: readonly unknown[]) =>
  client.query(`update media set ${set}, updated_at = $1, revision = $2 where media_id = $3 and revision < $2`, [
    event.metadata.occurredAt,
    event.streamRevision,
    event.data.mediaId,
    ...values,
  ]);

const write = async (client: pg.PoolClient, event: MediaRecorded): Promise<void> => {
  switch (event.type) {
    case 'MediaUploadRequested': {
      const { mediaId, ownerId, purpose, filename, declaredType, declaredSize, originalKey, requestedAt, uploadExpiresAt } = event.data;
      await client.query(REQUESTED, [mediaId, ownerId, purpose, filename, declaredType, declaredSize, originalKey, requestedAt, uploadExpiresAt, event.streamRevision]);
      return;
    }
    case 'MediaUploaded':
      await update(client, event, `status = 'processing', uploaded_size = $4`, [event.data.size]);
      return;
    case 'MediaProcessed': {
      const { mediaId: _mediaId, ownerId: _ownerId, processedAt: _processedAt, ...processed } = event.data;
      await update(client, event, `status = 'ready', processed = $4::jsonb`, [JSON.stringify(processed)]);
      return;
    }
    case 'MediaRejected':
      await update(client, event, `status = 'rejected', reason = $4, message = $5`, [event.data.reason, event.data.message]);
      return;
    case 'MediaAttached':
      await update(client, event, `status = 'attached', target_id = $4`, [event.data.targetId]);
      return;
    case 'MediaReleased':
      await update(client, event, `status = 'ready', target_id = null`, []);
      return;
    case 'MediaDeleted':
      await update(client, event, `status = 'deleted'`, []);
      return;
    case 'MediaExpired':
      await update(client, event, `status = 'expired'`, []);
      return;
    default:
      everyTypeHandled(event);
  }
};

/** `mode` 'build' sets up the bulk-load shape of a generation built from the start (runtime/build-schema.ts). */
export const createMediaProjection = (pool: pg.Pool, { mode = 'live' }: { mode?: GenerationStorage['mode'] } = {}): Projection => ({
  name: MEDIA,
  eventTypes: mediaEventTypes,
  setup: () => setupMediaSchema(pool, mode),
  apply: (batch, checkpointKey) =>
    applyInTransaction(pool, checkpointKey, batch.position, async (client) => {
      for (const event of batch.events) if (isMediaEvent(event)) await write(client, event);
    }),
  checkpoint: (checkpointKey) => loadCheckpoint(pool, checkpointKey),
});
