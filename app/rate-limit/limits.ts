import { parseDuration } from '../duration.js';

// Every rate limit of the API in one table (docs/architecture.md "HTTP API", "Rate limits"), in the
// manner of Mastodon's rack_attack.rb. Each route declares its class (`config: { rateLimit }`, or
// the default of its method); a class counts per account, per address, or (login) both. A request
// of an account class without a valid token (none, or one refused: counted before its 401) counts
// per address in `anonymous`.
export const RATE_LIMIT_CLASSES = ['login', 'register', 'refresh', 'media', 'delete', 'write', 'read', 'anonymous'] as const;
export type RateLimitClass = (typeof RATE_LIMIT_CLASSES)[number];

export interface Limit {
  /** Requests a bucket holds: a burst of this many, refilled evenly over the window. */
  limit: number;
  windowMs: number;
}

/** Who a class's buckets belong to: the caller's account, its address, or both (login: the account named in the body). */
export type Scope = 'account' | 'address' | 'address+account';

export const RATE_LIMIT_TABLE: Record<RateLimitClass, { scope: Scope; default: string }> = {
  login: { scope: 'address+account', default: '25/5m' },
  register: { scope: 'address', default: '5/30m' },
  // A client refreshes every ACCESS_TOKEN_TTL per session; a flood of junk tokens is DB work.
  refresh: { scope: 'address', default: '120/5m' },
  media: { scope: 'account', default: '30/30m' },
  delete: { scope: 'account', default: '30/30m' },
  write: { scope: 'account', default: '1500/5m' },
  read: { scope: 'account', default: '1500/5m' },
  anonymous: { scope: 'address', default: '300/5m' },
};

/** "5/30m": 5 requests per 30 minutes (durations as app/duration.ts reads them); null when malformed. */
export const parseLimit = (text: string): Limit | null => {
  const match = /^\s*(\d+)\s*\/\s*(.+)$/.exec(text);
  if (!match) return null;
  const limit = Number(match[1]);
  const windowMs = parseDuration(match[2]!);
  return limit >= 1 && Number.isSafeInteger(limit) && windowMs !== null ? { limit, windowMs } : null;
};

export interface RateLimitSettings {
  /** RATE_LIMITS=off: no limits at all. */
  enabled: boolean;
  limits: Record<RateLimitClass, Limit>;
}

export const defaultRateLimits = (): Record<RateLimitClass, Limit> =>
  Object.fromEntries(RATE_LIMIT_CLASSES.map((name) => [name, parseLimit(RATE_LIMIT_TABLE[name].default)!])) as Record<RateLimitClass, Limit>;
