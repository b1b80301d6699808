import type pg from 'pg';
import { asPosition } from '../position.js';
import { snapshotDigest, type SnapshotStore, type StreamFromSnapshot, type StreamSnapshot } from '../snapshot-store.js';
import { readStreamEvents } from './read-stream.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './recorded-event-row.js';

// Stream snapshots on PostgreSQL (table stream_snapshots, schema-v2-snapshots.sql.ts).
//
// A command does several loads (its own stream, the post, the owner, blocks, the follow), so the
// snapshot and the events after it come back in ONE statement: the snapshot as a first row with
// no event columns, then the tail. Without a snapshot the same statement returns the whole
// stream, so a stream that was never snapshotted costs what readStream costs. Named (prepared once
// per connection): nearly every command runs it, and its parse and plan cost more than its execution.
const READ_FROM_SNAPSHOT = `
with snapshot as (
  select s.revision, s.position, s.state, s.digest from stream_snapshots s
  where s.stream_id = $1 and s.snapshot_key = $2
)
select s.revision as snapshot_revision, s.position as snapshot_position, s.state as snapshot_state, s.digest as snapshot_digest,
  null::xid8 as transaction_id, null::bigint as global_position, null::text as stream_id, null::bigint as stream_revision,
  null::uuid as event_id, null::text as type, null::integer as schema_version, null::jsonb as data, null::jsonb as metadata,
  null::timestamptz as recorded_at
from snapshot s
union all
select null, null, null, null, ${EVENT_COLUMNS}
from events e
where e.stream_id = $1 and e.stream_revision > coalesce((select revision from snapshot), -1)
order by stream_revision nulls first`;

// Only forward: a snapshot of an older revision never replaces a newer one (two commands that
// read the stream at different revisions may save in either order). The same revision may be
// written again, which repairs a row that failed its digest.
const SAVE_SNAPSHOT = `
insert into stream_snapshots (stream_id, snapshot_key, revision, position, state, digest)
values ($1, $2, $3, $4, $5::jsonb, $6)
on conflict (stream_id, snapshot_key) do update
  set revision = excluded.revision, position = excluded.position, state = excluded.state, digest = excluded.digest, saved_at = now()
  where stream_snapshots.revision <= excluded.revision`;

interface SnapshotColumns {
  snapshot_revision: string | null;
  snapshot_position: string | null;
  snapshot_state: unknown;
  snapshot_digest: string | null;
}

type Row = SnapshotColumns & EventRow;

const snapshotOf = (streamId: string, key: string, row: Row | undefined): StreamSnapshot | 'none' | 'damaged' => {
  if (!row || row.snapshot_revision === null) return 'none';
  const snapshot: StreamSnapshot = { revision: Number(row.snapshot_revision), position: asPosition(row.snapshot_position ?? ''), state: row.snapshot_state };
  return row.snapshot_digest === snapshotDigest(streamId, key, snapshot) ? snapshot : 'damaged';
};

export const createPostgresSnapshotStore = (pool: pg.Pool): SnapshotStore => ({
  async readFromSnapshot(streamId, key): Promise<StreamFromSnapshot> {
    const { rows } = await pool.query<Row>({ name: 'event_store_read_from_snapshot', text: READ_FROM_SNAPSHOT, values: [streamId, key] });
    const snapshot = snapshotOf(streamId, key, rows[0]);
    if (snapshot === 'none') return { snapshot: null, events: rows.map(toRecordedEvent) };
    // A damaged row is ignored: the stream is read whole (a second round trip, for a row that
    // should never exist), and the caller's next save repairs it.
    if (snapshot === 'damaged') return { snapshot: null, events: await readStreamEvents(pool, streamId) };
    return { snapshot, events: rows.slice(1).map(toRecordedEvent) };
  },
  async saveSnapshot(streamId, key, snapshot) {
    if (!Number.isSafeInteger(snapshot.revision) || snapshot.revision < 0) throw new RangeError(`a snapshot's revision is a revision (0 or more), got ${snapshot.revision}`);
    const digest = snapshotDigest(streamId, key, snapshot);
    await pool.query(SAVE_SNAPSHOT, [streamId, key, snapshot.revision, snapshot.position, JSON.stringify(snapshot.state), digest]);
  },
});
