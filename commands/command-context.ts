import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import type { DomainEvent, EventMetadata, NewEvent } from '../events/index.js';
import { pooledRandomBytes } from '../kernel/random-bytes.js';

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
  return events.map((event) => ({ eventId: newId(), type: event.type, data: event.data, metadata }));
};

// The uuid package's own v7 state (milliseconds, and a counter within one, so that the ids one
// process makes are increasing, as uuidv7() makes them), kept here because its random bytes come
// from the pool (kernel/random-bytes.ts) rather than one call into OpenSSL per id; uuidv7 keeps no
// state for a caller that gives the bytes.
const v7 = { msecs: -Infinity, seq: 0 };

/** A fresh UUIDv7. */
export const newId = (): string => {
  const random = pooledRandomBytes(16);
  const now = Date.now();
  if (now > v7.msecs) {
    v7.msecs = now;
    v7.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    v7.seq = (v7.seq + 1) | 0;
    if (v7.seq === 0) v7.msecs++;
  }
  return uuidv7({ random, msecs: v7.msecs, seq: v7.seq });
};

/** What a keyed command creates; part of the derived id, so one key can create one of each. */
export type CreatedKind = 'post' | 'comment' | 'story' | 'media' | 'collection';

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
  ctx.idempotencyKey && ctx.actorId ? uuidv5(`${ctx.actorId}\n${kind}\n${ctx.idempotencyKey}`, KEYED_ID_NAMESPACE) : newId();
