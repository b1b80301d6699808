import type { Position as ClientPosition, ReadPosition } from '@eventstore/db-client';
import type { RecordedEvent } from '../envelope.js';
import { matchesFilter, type EventFilter, type ReadAllResult } from '../event-store.js';
import { maxPosition, type Position } from '../position.js';
import { decodeCommitPosition, encodeCommitPosition } from './commit-position.js';
import { isPlatformEvent, toRecordedEvent, type ClientRecord } from './recorded-event.js';

// readAll over $all, filtered in process (the 6.x client's readAll sends no filter): the pages
// the server returns are folded here, page after page, until `max` events passed or $all ended.
// Pure, so that what a page does to the result is tested without a server.

export interface LogScan {
  readonly from: Position;
  readonly max: number;
  readonly filter: EventFilter | undefined;
  /** The events that passed, in log order. */
  readonly events: RecordedEvent[];
  /** The last position looked at: the next page starts there (and skips the event there). */
  readonly scanned: Position;
}

export const startScan = (from: Position, max: number, filter: EventFilter | undefined): LogScan => ({ from, max, filter, events: [], scanned: from });

export const isFull = (scan: LogScan): boolean => scan.events.length >= scan.max;

/**
 * Folds one page of $all, in order, into the scan. A read from a position starts at the event
 * there, already looked at: events at or before `scanned` are skipped. Once the scan is full the
 * rest of the page is left unread (not even its positions count as looked at).
 */
export const scanPage = (scan: LogScan, page: readonly LogRecord[]): LogScan => {
  const events = [...scan.events];
  let scanned = scan.scanned;
  for (const record of page) {
    if (events.length >= scan.max) break;
    const position = encodeCommitPosition(record.position);
    if (position <= scanned) continue;
    scanned = position;
    if (isPlatformEvent(record) && matchesFilter(record, scan.filter)) events.push(toRecordedEvent(record));
  }
  return { ...scan, events, scanned };
};

/**
 * The read's result once the scan is full or $all ended. Full: the last event's position. At the
 * end of $all with a filter: the last position looked at, so that checkpoints move past what the
 * filter skipped; without one, the last event returned (a page ends at its last event), or, with
 * none, the last position looked at (only system events were skipped).
 */
export const scanResult = (scan: LogScan): ReadAllResult => {
  const last = scan.events.at(-1)?.position;
  if (last && (isFull(scan) || !scan.filter)) return { events: scan.events, position: last };
  return { events: scan.events, position: maxPosition(scan.from, scan.scanned) };
};

/** A record of $all as the client gives it (with its position, which $all reads always carry). */
export type LogRecord = ClientRecord & { position: ClientPosition };

/** Up to `count` records of $all forwards from `from` (the client's readAll). */
export type ReadLogPage = (from: ReadPosition, count: number) => Promise<readonly LogRecord[]>;

/**
 * Up to `max` platform events after `from` that pass the filter: pages of $all folded until the
 * batch is full or $all ends (a page shorter than asked). Without a filter only system events are
 * skipped, so one more than `max` covers the event at `from`; with one, pages of `scanPageSize`.
 */
export const readAllByPages = async (readPage: ReadLogPage, from: Position, max: number, filter: EventFilter | undefined, scanPageSize: number): Promise<ReadAllResult> => {
  if (max <= 0) return { events: [], position: from };
  decodeCommitPosition(from); // refuses a token of another store before any read
  const pageSize = filter ? Math.max(max + 1, scanPageSize) : max + 1;
  let scan = startScan(from, max, filter);
  for (;;) {
    const page = await readPage(decodeCommitPosition(scan.scanned), pageSize);
    scan = scanPage(scan, page);
    if (isFull(scan) || page.length < pageSize) return scanResult(scan);
  }
};
