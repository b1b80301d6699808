import type pg from 'pg';
import type { EventFilter, ReadAllResult } from '../event-store.js';
import { maxPosition, type Position } from '../position.js';
import { decodeLogPosition, logPositionOfRow } from './log-position.js';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './recorded-event-row.js';

// The gap-free read of docs/architecture.md "Event store". Positions come from a sequence, so a transaction can commit
// after another one that took a higher position; a reader resuming "after the highest position
// seen" would skip it. So only transactions older than every running transaction (the
// snapshot's xmin) are read: all of them have ended, none can still add rows below. The log is
// ordered by (transaction_id, global_position), and readers resume from that composite.
//
// The same statement also finds the last visible row (same snapshot, hence same horizon), so
// that a filtered read that matched little can still move its caller's checkpoint past what it
// skipped.
const VISIBLE = 'e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

const READ_ALL = `
with page as (
  select ${EVENT_COLUMNS} from events e
  where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
    and ${VISIBLE}
    and ($4::text[] is null or e.type = any($4::text[]))
    and ($5::text[] is null or e.stream_id like any($5::text[]))
  order by e.transaction_id, e.global_position
  limit $3
),
last_visible as (
  select e.transaction_id, e.global_position from events e
  where ${VISIBLE}
  order by e.transaction_id desc, e.global_position desc
  limit 1
)
select page.*, v.transaction_id as visible_transaction_id, v.global_position as visible_global_position
from last_visible v left join page on true
order by page.transaction_id, page.global_position`;

const LAST_VISIBLE = `select e.transaction_id, e.global_position from events e
  where ${VISIBLE}
  order by e.transaction_id desc, e.global_position desc
  limit 1`;

type ReadAllRow = (EventRow | { [K in keyof EventRow]: null }) & {
  visible_transaction_id: string;
  visible_global_position: string;
};

export const readAllEvents = async (pool: pg.Pool, from: Position, max: number, filter?: EventFilter): Promise<ReadAllResult> => {
  const after = decodeLogPosition(from);
  if (max <= 0) return { events: [], position: from };
  const { rows } = await pool.query<ReadAllRow>(READ_ALL, [
    after.transactionId.toString(),
    after.globalPosition.toString(),
    max,
    filter?.types ?? null,
    filter?.streamPrefixes?.map(likePrefix) ?? null,
  ]);
  const events = rows.filter((row): row is ReadAllRow & EventRow => row.event_id !== null).map(toRecordedEvent);
  const last = events.at(-1)?.position ?? from;
  if (events.length === max || !rows[0]) return { events, position: last };
  // Fewer than asked: everything visible after `from` was scanned, so the caller may continue
  // from the last visible row even if the filter dropped it.
  const visible = logPositionOfRow({ transaction_id: rows[0].visible_transaction_id, global_position: rows[0].visible_global_position });
  return { events, position: maxPosition(last, visible) };
};

/** Position of the last row a global-log reader may read now; START when there is none. */
export const lastVisiblePosition = async (pool: pg.Pool): Promise<Position | undefined> => {
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(LAST_VISIBLE);
  return rows[0] ? logPositionOfRow(rows[0]) : undefined;
};

// Every committed row, in flight or not behind it: the newest by log order (events_log_order, read backwards).
const LAST_COMMITTED = `select e.transaction_id, e.global_position from events e
  order by e.transaction_id desc, e.global_position desc
  limit 1`;

/**
 * Position of the last committed row, which may be past the visible head: an append hands its
 * position out once it commits, even while an older transaction keeps the head behind it.
 */
export const lastCommittedPosition = async (pool: pg.Pool): Promise<Position | undefined> => {
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(LAST_COMMITTED);
  return rows[0] ? logPositionOfRow(rows[0]) : undefined;
};

/** `stream_id like 'prefix%'` with the prefix's own wildcards taken literally. */
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
