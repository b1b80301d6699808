import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent, EventMetadata, NewEvent } from '../events/index.js';

/** What every command carries besides its own fields: who, when, and why (for tracing). */
export interface CommandContext {
  actorId: string | null;
  correlationId: string;
  causationId?: string | null;
  idempotencyKey?: string;
  /** The time the command is decided at, read once by the caller (deciders never read the clock). */
  now: string;
}

export const metadataOf = (ctx: CommandContext): EventMetadata => ({
  correlationId: ctx.correlationId,
  causationId: ctx.causationId ?? null,
  actorId: ctx.actorId,
  occurredAt: ctx.now,
  ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey } : {}),
});

/** Wraps decided events in the envelope: a fresh UUIDv7 each, and the command's metadata. */
export const toNewEvents = (events: readonly DomainEvent[], ctx: CommandContext): NewEvent[] => {
  const metadata = metadataOf(ctx);
  return events.map((event) => ({ eventId: uuidv7(), type: event.type, data: event.data, metadata }));
};

export const newId = (): string => uuidv7();
