import type { EventMetadata, RecordedEvent } from '../envelope.js';
import { upcast } from '../upcasters.js';
import { logPositionOfRow } from './log-position.js';

/** The columns every read selects, in the shape pg returns them (64-bit numbers as strings). */
export const EVENT_COLUMNS = `e.transaction_id, e.global_position, e.stream_id, e.stream_revision, e.event_id,
  e.type, e.schema_version, e.data, e.metadata, e.recorded_at`;

export interface EventRow {
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

/** Rows keep the version they were written in; readers only ever see the current one. */
export const toRecordedEvent = (row: EventRow): RecordedEvent => {
  const current = upcast(row.type, row.schema_version, row.data);
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: current.version,
    data: current.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    streamRevision: Number(row.stream_revision),
    position: logPositionOfRow(row),
    recordedAt: row.recorded_at.toISOString(),
  };
};
