import type pg from 'pg';
import type { RecordedEvent } from '../envelope.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './recorded-event-row.js';

// An aggregate's own stream needs no visibility horizon: its appends are serialised by the
// stream row lock, so every committed event of it is there, in revision order. Named: prepared
// once per connection, like the append (append.ts).
const READ_STREAM = `select ${EVENT_COLUMNS} from events e
  where e.stream_id = $1 and e.stream_revision >= $2
  order by e.stream_revision`;

export const readStreamEvents = async (pool: pg.Pool, streamId: string, fromRevision = 0): Promise<RecordedEvent[]> => {
  const { rows } = await pool.query<EventRow>({ name: 'event_store_read_stream', text: READ_STREAM, values: [streamId, fromRevision] });
  return rows.map(toRecordedEvent);
};
