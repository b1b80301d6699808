import type pg from 'pg';
import { ensureCheckpointTable } from '../runtime/checkpoints-postgres.js';
import { createUnderLock } from '../runtime/postgres-transaction.js';

// The media read model's table (unqualified: the pool's search_path picks the generation's
// schema). One row per upload, written only by its own stream's events, each guarded by the
// stream revision (`revision`), so that a batch applied twice changes nothing. Times are the
// events' own, never now(), so that two generations dump equal.
const TABLES = `
create table if not exists media (
  media_id uuid primary key,
  owner_id uuid not null,
  purpose text not null,
  status text not null,
  reason text,
  message text,
  filename text not null,
  declared_type text not null,
  declared_size bigint not null,
  original_key text not null,
  uploaded_size bigint,
  processed jsonb,
  target_id uuid,
  requested_at timestamptz not null,
  upload_expires_at timestamptz not null,
  updated_at timestamptz not null,
  revision integer not null
);
create index if not exists media_by_target on media (target_id) where target_id is not null;
create index if not exists media_pending_by_expiry on media (upload_expires_at) where status = 'pending';
create index if not exists media_unattached_by_request on media (requested_at) where status in ('ready', 'rejected');
`;

export const MEDIA_TABLES = ['media'] as const;

export const setupMediaSchema = async (pool: pg.Pool): Promise<void> => {
  await ensureCheckpointTable(pool);
  await createUnderLock(pool, 'projection-media-schema', TABLES);
};
