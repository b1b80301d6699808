// Times travel as ISO strings; compare them as instants, since two spellings of one instant
// ('...00Z' and '...00.000Z') do not sort as strings do.
export const isBefore = (a: string, b: string): boolean => Date.parse(a) < Date.parse(b);

/** When a story posted at `postedAt` with a lifetime of `ttlMs` expires. */
export const expiryOf = (postedAt: string, ttlMs: number): string => {
  // A wrong STORY_TTL is a configuration bug, not the user's doing.
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`story ttl must be a positive whole number of ms, got ${ttlMs}`);
  return new Date(Date.parse(postedAt) + ttlMs).toISOString();
};
