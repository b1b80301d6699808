import type pg from 'pg';
import { setUpPostgresSchema, type PostgresSchema } from '../runtime/build-schema.js';
import type { GenerationStorage } from '../runtime/read-model.js';

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

/** The projection's writes go by primary key only (media-projection.ts): every secondary index waits for the end of a build. */
export const MEDIA_SCHEMA: PostgresSchema = { lock: 'projection-media-schema', ddl: TABLES, tables: MEDIA_TABLES };

export const setupMediaSchema = (pool: pg.Pool, mode: GenerationStorage['mode'] = 'live'): Promise<void> => setUpPostgresSchema(pool, MEDIA_SCHEMA, mode);
