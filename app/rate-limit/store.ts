// The rate-limit store port: token buckets, one key per bucket. Redis when REDIS_URL is set
// (store-redis.ts), PostgreSQL otherwise (store-postgres.ts); one contract suite for both
// (test/integration/rate-limit-store.contract.ts).
export interface Take {
  /** The request may go on (a token was taken). */
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Until the bucket is full again. */
  resetMs: number;
  /** Until one token is back (0 when allowed). */
  retryAfterMs: number;
}

export interface RateLimitStore {
  /** Takes a token from the bucket `key` holding `limit` tokens refilled over `windowMs`, at the time `nowMs`. */
  take(key: string, limit: number, windowMs: number, nowMs: number): Promise<Take>;
}

/** What a take means, from the tokens left (fractional) after it. */
export const takeOf = (allowed: boolean, tokens: number, limit: number, windowMs: number): Take => {
  const perMs = limit / windowMs;
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    resetMs: Math.ceil(Math.max(0, limit - tokens) / perMs),
    retryAfterMs: allowed ? 0 : Math.ceil(Math.max(0, 1 - tokens) / perMs),
  };
};
