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
  if (!isEventType(event.type)) throw new InvalidEventError(event.type, [{ path: ['type'], message: 'unknown event type' }]);
  const result = eventSchemas[event.type].schema.safeParse(event.data);
  if (!result.success) throw new InvalidEventError(event.type, result.error.issues);
  return result.data;
};
