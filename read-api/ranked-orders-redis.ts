import type { Redis } from 'ioredis';
import { RANKING } from '../projections/feed/ranking.js';
import type { RankedOrders } from './ranked-orders.js';

// One string per session, the ids comma-separated, under the viewer's hash tag (the slot of
// their feed keys: projections/feed/feed-keys.ts), set with its expiry in one command; Redis
// forgets it by itself.
export const createRedisRankedOrders = (redis: Redis, { prefix, ttlMs = RANKING.SESSION_TTL_MS }: { prefix: string; ttlMs?: number }): RankedOrders => {
  const key = (viewerId: string, sessionId: string) => `${prefix}feed-ranked:{${viewerId}}:${sessionId}`;
  return {
    async save(viewerId, sessionId, postIds) {
      await redis.set(key(viewerId, sessionId), postIds.join(','), 'PX', ttlMs);
    },
    async load(viewerId, sessionId) {
      const value = await redis.get(key(viewerId, sessionId));
      if (value === null) return null;
      return value === '' ? [] : value.split(',');
    },
  };
};
