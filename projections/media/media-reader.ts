import type pg from 'pg';
import type { MediaPurpose, ProcessedMedia } from '../../events/index.js';
import { UNATTACHED_MEDIA_TTL_MS } from '../../kernel/limits.js';

/** The statuses of domain/media/media.ts, as the read model stores them. */
export type MediaRecordStatus = 'pending' | 'processing' | 'ready' | 'rejected' | 'attached' | 'expired' | 'deleted';

export interface MediaRecord {
  mediaId: string;
  ownerId: string;
  purpose: MediaPurpose;
  status: MediaRecordStatus;
  /** A rejection's code (MEDIA_* of kernel/errors.ts) and its words for a person. */
  reason: string | null;
  message: string | null;
  filename: string;
  declaredType: string;
  declaredSize: number;
  originalKey: string;
  processed: ProcessedMedia | null;
  /** The post, story or user it is attached to. */
  targetId: string | null;
  requestedAt: string;
  uploadExpiresAt: string;
  updatedAt: string;
}

export interface MediaReader {
  byId(mediaId: string): Promise<MediaRecord | null>;
  /** The media attached to a post, story or user (an avatar). */
  attachedTo(targetId: string): Promise<MediaRecord[]>;
  /**
   * What the sweeper should expire at `nowMs`, oldest first: uploads never completed past their
   * upload URL's expiry, and processed or rejected media never attached past requestedAt +
   * UNATTACHED_MEDIA_TTL_MS (the decider decides again; this only finds candidates).
   */
  stale(nowMs: number, limit: number): Promise<MediaRecord[]>;
}

interface MediaRow {
  media_id: string;
  owner_id: string;
  purpose: MediaPurpose;
  status: MediaRecordStatus;
  reason: string | null;
  message: string | null;
  filename: string;
  declared_type: string;
  declared_size: string;
  original_key: string;
  processed: ProcessedMedia | null;
  target_id: string | null;
  requested_at: Date;
  upload_expires_at: Date;
  updated_at: Date;
}

const COLUMNS = `media_id, owner_id, purpose, status, reason, message, filename, declared_type, declared_size, original_key,
  processed, target_id, requested_at, upload_expires_at, updated_at`;

const recordOf = (row: MediaRow): MediaRecord => ({
  mediaId: row.media_id,
  ownerId: row.owner_id,
  purpose: row.purpose,
  status: row.status,
  reason: row.reason,
  message: row.message,
  filename: row.filename,
  declaredType: row.declared_type,
  declaredSize: Number(row.declared_size),
  originalKey: row.original_key,
  processed: row.processed,
  targetId: row.target_id,
  requestedAt: row.requested_at.toISOString(),
  uploadExpiresAt: row.upload_expires_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const createMediaReader = (pool: pg.Pool): MediaReader => ({
  async byId(mediaId) {
    if (!UUID.test(mediaId)) return null;
    const { rows } = await pool.query<MediaRow>(`select ${COLUMNS} from media where media_id = $1`, [mediaId]);
    return rows[0] ? recordOf(rows[0]) : null;
  },
  async attachedTo(targetId) {
    if (!UUID.test(targetId)) return [];
    const { rows } = await pool.query<MediaRow>(`select ${COLUMNS} from media where target_id = $1 order by requested_at, media_id`, [targetId]);
    return rows.map(recordOf);
  },
  async stale(nowMs, limit) {
    const now = new Date(nowMs).toISOString();
    const { rows } = await pool.query<MediaRow>(
      `(select ${COLUMNS} from media where status = 'pending' and upload_expires_at < $1 order by upload_expires_at limit $3)
       union all
       (select ${COLUMNS} from media where status in ('ready', 'rejected') and requested_at <= $1::timestamptz - make_interval(secs => $2 / 1000.0)
        order by requested_at limit $3)
       order by requested_at, media_id limit $3`,
      [now, UNATTACHED_MEDIA_TTL_MS, limit],
    );
    return rows.map(recordOf);
  },
});
