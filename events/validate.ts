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

// Data vouched for as valid without being parsed again, with its JSON taken when it was vouched
// for (so that a change to the object afterwards cannot reach the log unchecked). Keyed by the
// data object itself: only the wrapper that made it holds it.
const vouched = new WeakMap<object, { type: string; json: string }>();

/**
 * Records `data` as valid for `type`, for the store it is appended to next: only for data made
 * from data validateEvent returned by a change that keeps it valid by rule. The one use is the
 * erasure of personal fields (events/personal-data: an erased event is a valid event of its type,
 * docs/rules.md "Personal data in events"), so that the write path parses each event once, in
 * clear, where every limit applies to the real text (bench:http: the second parse of the sealed
 * event was ~1 % of create-post's CPU).
 */
export const vouchForValid = (type: string, data: object): void => void vouched.set(data, { type, json: JSON.stringify(data) });

/** The event's data as the JSON to store: validated (validateEvent), or as vouched for (vouchForValid). */
export const validEventJson = (event: NewEvent): string => {
  const known = typeof event.data === 'object' && event.data !== null ? vouched.get(event.data) : undefined;
  return known !== undefined && known.type === event.type ? known.json : JSON.stringify(validateEvent(event));
};
