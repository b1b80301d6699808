import type { Story, StoryStatus } from './stories-store.js';

// Both adapters keep times as milliseconds (exact in a double, and a Redis score) and give them
// back as ISO strings, so they answer alike whatever spelling of an instant an event carried.

export const msOf = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return ms;
};

export const isoOf = (ms: number): string => new Date(ms).toISOString();

/** Deletion outranks expiry: an expired story can still be deleted, never the other way round. */
export const stateOf = (ended: { deleted: boolean; expired: boolean }): StoryStatus =>
  ended.deleted ? 'deleted' : ended.expired ? 'expired' : 'active';

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first; the id breaks ties so that every adapter lists a tie the same way. */
export const oldestFirst = (a: Story, b: Story): number => msOf(a.postedAt) - msOf(b.postedAt) || byId(a.id, b.id);
