import type { MutualFollowers, ProfilesReader } from '../projections/profiles/profiles-reader.js';

// A profile's "followed by a, b and N others you follow" (projections/profiles/reader-suggestions.ts)
// costs a join over the viewer's follows, on the profile page, one of the hot reads that the card
// cache answers without I/O (read-api/card-cache.ts). Its answer changes only when one of the
// viewer's follows follows or unfollows the account, which no card touch names, so it is kept
// per (viewer, account) for a short time instead: a "followed by" line up to MUTUALS_TTL_MS old.

/** How stale "followed by" may be: a social hint, not a fact a decision is made on. */
export const MUTUALS_TTL_MS = 30_000;
/** Pairs kept per process: an answer is ~200 bytes, so 10,000 is ~2 MB. */
export const MUTUALS_CACHE_SIZE = 10_000;

export interface MutualFollowersCache {
  get(viewerId: string, userId: string): Promise<MutualFollowers>;
}

export const createMutualFollowersCache = (
  profiles: () => Pick<ProfilesReader, 'mutualFollowers'>,
  options: { ttlMs?: number; size?: number; now?: () => number } = {},
): MutualFollowersCache => {
  const { ttlMs = MUTUALS_TTL_MS, size = MUTUALS_CACHE_SIZE, now = Date.now } = options;
  // Insertion order is age order (entries are never refreshed in place): the first key is the oldest.
  const entries = new Map<string, { value: Promise<MutualFollowers>; expiresAt: number }>();
  return {
    get(viewerId, userId) {
      const key = `${viewerId}:${userId}`;
      const at = now();
      const hit = entries.get(key);
      if (hit && hit.expiresAt > at) return hit.value;
      entries.delete(key);
      // Concurrent misses share one load; a failed load is not kept.
      const value = profiles().mutualFollowers(viewerId, userId);
      value.catch(() => entries.delete(key));
      entries.set(key, { value, expiresAt: at + ttlMs });
      while (entries.size > size) entries.delete(entries.keys().next().value!);
      return value;
    },
  };
};
