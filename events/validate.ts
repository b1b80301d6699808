import type { NewEvent } from './envelope.js';
import { eventSchemas, isEventType } from './registry.js';

export class InvalidEventError extends Error {
  constructor(
    readonly eventType: string,
    readonly issues: readonly { path: PropertyKey[]; message: string }[],
  ) {
    super(`invalid ${eventType}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/**
 * Checks an event against its type's current schema before it is stored, so the log only ever
 * holds events that every reader can decode. Returns the parsed data (unknown keys stripped).
 */
export const validateEvent = (event: NewEvent): unknown => {
  if (typeof event.data === 'object' && event.data !== null && knownValid.get(event.data) === event.type) return event.data;
  if (!isEventType(event.type)) throw new InvalidEventError(event.type, [{ path: ['type'], message: 'unknown event type' }]);
  const result = eventSchemas[event.type].schema.safeParse(event.data);
  if (!result.success) throw new InvalidEventError(event.type, result.error.issues);
  return result.data;
};

// Data this process made from an event it validated, and knows to be valid for its type as it
// stands: the personal-data store's erased copy of an event it validated in clear (erased values
// pass their schema: personal-fields.ts). Checked by identity, so a copy or another object is
// validated as usual; the store that appends it does not run the schema a second time.
const knownValid = new WeakMap<object, string>();

/** Marks `data` as valid for `type` (see knownValid); returns it. */
export const knownValidData = <T>(type: string, data: T): T => {
  if (typeof data === 'object' && data !== null) knownValid.set(data, type);
  return data;
};
