import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { takeOf, type RateLimitStore } from './store.js';

// One hash per bucket (tokens, last refill), refilled and taken from in one script that touches
// only its own key, so that it runs on a Redis Cluster too. The bucket expires once it would be
// full again: a missing bucket is a full one.
const SCRIPT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(bucket[1])
local at = tonumber(bucket[2])
if tokens == nil or at == nil then tokens = limit; at = now end
tokens = math.min(limit, tokens + math.max(0, now - at) * limit / window)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], math.ceil(window))
return {allowed, tostring(tokens)}
`;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');

export const createRedisRateLimitStore = (redis: Redis | Cluster, { prefix }: { prefix: string }): RateLimitStore => ({
  async take(key, limit, windowMs, nowMs) {
    const args = [`${prefix}ratelimit:${key}`, limit, windowMs, nowMs] as const;
    let result: unknown;
    try {
      result = await redis.evalsha(SHA, 1, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      result = await redis.eval(SCRIPT, 1, ...args);
    }
    const [allowed, tokens] = result as [number, string];
    return takeOf(allowed === 1, Number(tokens), limit, windowMs);
  },
});
