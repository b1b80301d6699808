import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { RANKING } from '../projections/feed/ranking.js';
import type { RankedOrders, RankedOrdersOptions } from './ranked-orders.js';

// One hash per viewer, `feed-ranked:{viewer}`, in the slot of their feed keys (the hash tag:
// projections/feed/feed-keys.ts): a field per session holding `<expiresAtMs>|<ids, comma-separated>`,
// and the field `#order` listing the sessions oldest first. A save is one script over that one
// key (Cluster-safe): it adds the session, drops the oldest past the cap, and sets the key's
// expiry to the newest session's, so a viewer who stops paging leaves nothing behind.
const ORDER_FIELD = '#order';
const SAVE_SCRIPT = `
local order = redis.call('HGET', KEYS[1], '${ORDER_FIELD}')
local sessions = {}
if order then
  for session in string.gmatch(order, '[^,]+') do
    if session ~= ARGV[1] then table.insert(sessions, session) end
  end
end
table.insert(sessions, ARGV[1])
while #sessions > tonumber(ARGV[4]) do redis.call('HDEL', KEYS[1], table.remove(sessions, 1)) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], '${ORDER_FIELD}', table.concat(sessions, ','))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;
const SAVE_SHA = createHash('sha1').update(SAVE_SCRIPT).digest('hex');

export const createRedisRankedOrders = (
  redis: Redis | Cluster,
  { prefix, ttlMs = RANKING.SESSION_TTL_MS, sessionsPerViewer = RANKING.SESSIONS_PER_VIEWER }: RankedOrdersOptions & { prefix: string },
): RankedOrders => {
  const key = (viewerId: string) => `${prefix}feed-ranked:{${viewerId}}`;
  return {
    async save(viewerId, sessionId, postIds, nowMs) {
      const args = [key(viewerId), sessionId, `${nowMs + ttlMs}|${postIds.join(',')}`, ttlMs, sessionsPerViewer] as const;
      try {
        await redis.evalsha(SAVE_SHA, 1, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        await redis.eval(SAVE_SCRIPT, 1, ...args);
      }
    },
    async load(viewerId, sessionId, nowMs) {
      const value = await redis.hget(key(viewerId), sessionId);
      if (value === null) return null;
      const bar = value.indexOf('|');
      if (!(Number(value.slice(0, bar)) > nowMs)) return null;
      const ids = value.slice(bar + 1);
      return ids === '' ? [] : ids.split(',');
    },
  };
};
