import type { Position } from './position.js';

/** Who and what caused an event; never a secret, and as little personal data as possible. */
export interface EventMetadata {
  correlationId: string;
  causationId: string | null;
  actorId: string | null;
  occurredAt: string;
  idempotencyKey?: string;
}

/** What a decider emits: a type and its data, nothing about storage. */
export interface DecidedEvent<Type extends string, Data> {
  type: Type;
  data: Data;
}

/** An event ready to be appended: the handler gives it an id (UUIDv7) and metadata. */
export interface NewEvent<E extends DecidedEvent<string, unknown> = DecidedEvent<string, unknown>> {
  eventId: string;
  type: E['type'];
  data: E['data'];
  metadata: EventMetadata;
}

/** An event as read back from the store, upcast to the current schema version. */
export interface RecordedEvent<E extends DecidedEvent<string, unknown> = DecidedEvent<string, unknown>> {
  eventId: string;
  type: E['type'];
  schemaVersion: number;
  data: E['data'];
  metadata: EventMetadata;
  streamId: string;
  streamRevision: number;
  position: Position;
  recordedAt: string;
}
