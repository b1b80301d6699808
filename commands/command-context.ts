import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
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

/** What a keyed command creates; part of the derived id, so one key can create one of each. */
export type CreatedKind = 'post' | 'comment' | 'story' | 'media';

// The namespace of derived entity ids (a fixed random UUID: changing it would make retries of
// keys already answered create second entities).
const KEYED_ID_NAMESPACE = 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b';

/**
 * The id of the entity a command creates. With an Idempotency-Key (and a caller), derived from
 * (caller, kind, key) as a UUIDv5: every retry of that command names the same stream, so a retry
 * after a lost reply, a failed completion of the key or a crash finds what the first run created
 * instead of creating a second (commands/created-once.ts); without a key, a fresh UUIDv7. Nothing
 * relies on these ids being time-ordered: feeds, timelines and lists order by the entity's time and
 * use the id only to break ties.
 */
export const entityIdFor = (ctx: CommandContext, kind: CreatedKind): string =>
  ctx.idempotencyKey && ctx.actorId ? uuidv5(`${ctx.actorId}\n${kind}\n${ctx.idempotencyKey}`, KEYED_ID_NAMESPACE) : uuidv7();
