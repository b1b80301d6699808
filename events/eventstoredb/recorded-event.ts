import {
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type EventData,
  type Filter,
  type JSONType,
  type Position as ClientPosition,
} from '@eventstore/db-client';
import type { EventMetadata, NewEvent, RecordedEvent } from '../envelope.js';
import type { EventFilter } from '../event-store.js';
import { currentVersion, type EventType } from '../registry.js';
import { upcast } from '../upcasters.js';
import { encodeCommitPosition } from './commit-position.js';

// How the port's events are kept in EventStoreDB. The event's id, type and data are EventStoreDB's
// own (a JSON event whose id is the envelope's UUIDv7, which is what the server deduplicates
// appends by); EventStoreDB has no column for the schema version, so its custom metadata holds
// the version the data was written in beside the envelope's metadata.

/** An event's EventStoreDB metadata, as this adapter writes it. */
export interface StoredMetadata {
  schemaVersion: number;
  metadata: EventMetadata;
}

/** The event as the client appends it; `data` is the validated (parsed) data of validateEvent. */
export const toEventData = (event: NewEvent, data: unknown): EventData => {
  const metadata: StoredMetadata = { schemaVersion: currentVersion(event.type as EventType), metadata: event.metadata };
  return jsonEvent({ id: event.eventId, type: event.type, data: data as JSONType, metadata: metadata as unknown as JSONType });
};

/** What the mapping reads of the client's recorded event (readStream, readAll and subscribeToAll give this shape). */
export interface ClientRecord {
  streamId: string;
  id: string;
  isJson: boolean;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: ClientPosition;
}

const isStoredMetadata = (metadata: unknown): metadata is StoredMetadata => {
  const candidate = metadata as Partial<StoredMetadata> | null | undefined;
  return typeof candidate?.schemaVersion === 'number' && typeof candidate.metadata === 'object' && candidate.metadata !== null;
};

/**
 * An event this adapter wrote: JSON, with its metadata envelope, outside EventStoreDB's system
 * streams and types ($-prefixed: $statsCollected, stream metadata, projections' links). $all
 * holds those too; the port's global log is the platform's events only.
 */
export const isPlatformEvent = (record: ClientRecord): boolean =>
  record.isJson && !record.type.startsWith('$') && !record.streamId.startsWith('$') && isStoredMetadata(record.metadata);

export class UnreadableEventError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    reason: string,
  ) {
    super(`EventStoreDB event ${eventId} of ${streamId}: ${reason}`);
    this.name = 'UnreadableEventError';
  }
}

const NO_POSITION = (1n << 64n) - 1n;

/**
 * Whether the client gave the event's $all position. A server that has none for it (a stream
 * read before 22.10) sends 2^64-1, or leaves the fields unset, which the client reads as 0 and 0:
 * the log's first record is the server's epoch record at 0, so no event is there.
 */
const hasLogPosition = (position: ClientPosition | undefined): position is ClientPosition =>
  position !== undefined && position.commit !== NO_POSITION && position.prepare !== NO_POSITION && (position.commit !== 0n || position.prepare !== 0n);

/**
 * The port's recorded event, upcast to the current version of its type (events/upcasters.ts):
 * stored events keep the version they were written in, as rows do on PostgreSQL. Its position is
 * its $all position, which stream reads carry too on EventStoreDB 22.10 and later.
 */
export const toRecordedEvent = (record: ClientRecord): RecordedEvent => {
  if (!isStoredMetadata(record.metadata)) throw new UnreadableEventError(record.streamId, record.id, 'not written by this adapter (no schemaVersion and metadata in its metadata)');
  if (!hasLogPosition(record.position)) throw new UnreadableEventError(record.streamId, record.id, 'no $all position (stream reads carry it from EventStoreDB 22.10 on)');
  const current = upcast(record.type, record.metadata.schemaVersion, record.data);
  return {
    eventId: record.id,
    type: record.type,
    schemaVersion: current.version,
    data: current.data,
    metadata: record.metadata.metadata,
    streamId: record.streamId,
    streamRevision: Number(record.revision),
    position: encodeCommitPosition(record.position),
    recordedAt: record.created.toISOString(),
  };
};

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server-side filter of a subscription to $all. EventStoreDB filters on one criterion, event
 * type or stream name: types when the port's filter names any (an exact-match regex), stream
 * prefixes otherwise, and with neither it drops system events. Whatever the server lets through
 * is checked again in process against the whole filter (matchesFilter), so combining both
 * criteria stays exact.
 */
export const serverFilterOf = (filter: EventFilter | undefined): Filter => {
  if (filter?.types) return eventTypeFilter({ regex: `^(?:${filter.types.map(escapeRegex).join('|')})$` });
  if (filter?.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  return excludeSystemEvents();
};
