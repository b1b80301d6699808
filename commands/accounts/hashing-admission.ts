import { availableParallelism } from 'node:os';

// Who gets password hashing when it is scarce (docs/rules.md). scrypt is the one costly step of
// login and registration, and its capacity is this process's cores: per-address and per-account
// rate limits cannot stop a flood spread over many addresses within its first window, so the
// hashing queue itself tells callers apart, by what this process saw of them lately:
// - "suspect": a recent failed login from its address group, or naming its account. It waits
//   behind everyone else, is the first pushed out of a full queue, and is refused at a full queue.
// - "trusted": a login that named this account from this address group recently succeeded (and
//   has not failed since). It goes first and may push a clean waiter out of a full queue, so a
//   returning user gets in even while a flood from fresh addresses, not yet known to fail, fills
//   the queue. Only the pair counts: logging in to one's own account lends no trust to guesses at
//   other accounts from the same address.
// - "clean": anyone else (a registration is clean or suspect: it names no account yet).
// Pure: the clock is passed in; commands/accounts/password.ts runs the hashes through it.

/**
 * Hashes at once: one per core. scrypt is CPU-bound, so more at once than cores adds no
 * throughput, only latency per hash; and scrypt runs on libuv's thread pool (4 threads by
 * default), which file, DNS, zlib and sharp work share: two per core on a 2-core machine took all
 * four threads, and a file stat waited ~0.2-0.5 s behind the hashes (one per core: 0.2 ms, the
 * same hashes per second, half the latency per hash; bench/password-hashing.ts). Raising
 * UV_THREADPOOL_SIZE instead frees the stat too but keeps the doubled latency, and must be set
 * before the pool's first use, which an ES module's imports make easy to miss.
 */
export const HASHING_CONCURRENCY = Math.max(1, availableParallelism());

/** Callers waiting for a hash, at most: past that, a refusal rather than an ever-longer wait. */
export const HASHING_QUEUE = 64;

/**
 * The memory of failed logins. 15 minutes outlasts the login rate limit's window (5 minutes), so
 * an address that paused is still known when it comes back, yet a user who mistyped is soon
 * clean again (and only ever waits longer while the hashing queue is contended). 100,000 keys
 * (an address and a named account per failure; ~10 MB, ~40 MB were every name 320 characters)
 * hold more than 15 minutes of failures at the rate the hashing can produce them on a few cores;
 * past it the least recently failed key is forgotten first, which is the one nearest to expiring.
 */
export const FAILED_LOGIN_MEMORY = { ttlMs: 15 * 60_000, maxKeys: 100_000 } as const;

/**
 * The memory of successful logins, by address group and account together. 7 days, a token's
 * lifetime (an app logs in again about when its token runs out); 100,000 pairs, the least recently
 * used forgotten first. Per process and empty at start, as the failures are.
 */
export const TRUSTED_LOGIN_MEMORY = { ttlMs: 7 * 24 * 3600_000, maxKeys: 100_000 } as const;

/**
 * Retry-After of a suspect turned away (429 RATE_LIMITED): about the time a full queue takes to
 * drain (64 hashes, two at a time, ~50 ms each on an idle core).
 */
export const SUSPECT_RETRY_AFTER_SECONDS = 2;

/** Who a hash is for: the address group (kernel/caller-keys.ts) and the account a login names (loginKey), when known. */
export interface HashingCaller {
  address: string | null;
  login: string | null;
}

/** The failure-memory keys of a caller: one per address group, one per named account. */
export const failureKeysOf = ({ address, login }: HashingCaller): string[] => [
  ...(address === null ? [] : [`address:${address}`]),
  ...(login === null ? [] : [`login:${login}`]),
];

/** The trust-memory key of a caller: its address group and named account together (none without both). */
export const trustKeysOf = ({ address, login }: HashingCaller): string[] => (address === null || login === null ? [] : [`${address} ${login}`]);

/**
 * Keys remembered `ttlMs` after they were last remembered, `maxKeys` at most. A Map's order is
 * the order of insertion, and remembering re-inserts a key, so the first key is always the least
 * recently remembered: the one evicted first and expired first.
 */
export const keyMemory = ({ ttlMs, maxKeys }: { ttlMs: number; maxKeys: number }) => {
  const lastSeen = new Map<string, number>();
  const expired = (seenAt: number, at: number) => at - seenAt >= ttlMs;
  return {
    remember(keys: readonly string[], at: number) {
      for (const key of keys) {
        lastSeen.delete(key);
        lastSeen.set(key, at);
      }
      for (const [key, seenAt] of lastSeen) {
        if (lastSeen.size <= maxKeys && !expired(seenAt, at)) break;
        lastSeen.delete(key);
      }
    },
    forget(keys: readonly string[]) {
      for (const key of keys) lastSeen.delete(key);
    },
    /** Whether any of `keys` was remembered within the last `ttlMs`. */
    remembers(keys: readonly string[], at: number): boolean {
      return keys.some((key) => {
        const seenAt = lastSeen.get(key);
        return seenAt !== undefined && !expired(seenAt, at);
      });
    },
    get size() {
      return lastSeen.size;
    },
  };
};

export type KeyMemory = ReturnType<typeof keyMemory>;

/** How a caller stands for password hashing, best first. */
export const STANDINGS = ['trusted', 'clean', 'suspect'] as const;
export type Standing = (typeof STANDINGS)[number];

/**
 * A caller's standing from the logins this process saw: trusted when its address group and
 * account together logged in recently (a failure of the pair since forgets it), else suspect when
 * its address group or its account failed recently, else clean.
 */
export const standingOf = (caller: HashingCaller, memory: { trusted: KeyMemory; failed: KeyMemory }, at: number): Standing => {
  if (memory.trusted.remembers(trustKeysOf(caller), at)) return 'trusted';
  return memory.failed.remembers(failureKeysOf(caller), at) ? 'suspect' : 'clean';
};

/** What became of a caller arriving at the queue. `displaced`: a waiter pushed out to make room, to be refused by its standing. */
export type Arrival<W> = { outcome: 'run' } | { outcome: 'queued'; displaced: { waiter: W; standing: Standing } | null } | { outcome: 'refused' };

/**
 * `concurrency` tasks at once and `queueLimit` waiters, let in by standing (trusted, then clean,
 * then suspect), each standing in arrival order. At a full queue an arrival displaces the newest
 * waiter of the worst standing below its own (the one that would have waited longest), or is
 * refused when none waits; so a suspect arrival is always refused there. A waiter is whatever the
 * caller needs to wake it (password.ts: its promise's resolve and reject).
 */
export const admissionQueue = <W>(concurrency: number, queueLimit: number) => {
  let running = 0;
  const waiting: Record<Standing, W[]> = { trusted: [], clean: [], suspect: [] };
  const queued = () => waiting.trusted.length + waiting.clean.length + waiting.suspect.length;
  return {
    arrive(waiter: W, standing: Standing): Arrival<W> {
      if (running < concurrency) {
        running += 1;
        return { outcome: 'run' };
      }
      if (queued() < queueLimit) {
        waiting[standing].push(waiter);
        return { outcome: 'queued', displaced: null };
      }
      const below = STANDINGS.slice(STANDINGS.indexOf(standing) + 1).toReversed();
      const worst = below.find((other) => waiting[other].length > 0);
      if (worst === undefined) return { outcome: 'refused' };
      const displaced = waiting[worst].pop()!;
      waiting[standing].push(waiter);
      return { outcome: 'queued', displaced: { waiter: displaced, standing: worst } };
    },
    /** A task finished: its slot passes straight to the next waiter, returned to be woken, or is freed (null). */
    finish(): W | null {
      for (const standing of STANDINGS) if (waiting[standing].length > 0) return waiting[standing].shift()!;
      running -= 1;
      return null;
    },
    load() {
      return { running, trusted: waiting.trusted.length, clean: waiting.clean.length, suspect: waiting.suspect.length };
    },
  };
};

export type AdmissionQueue<W> = ReturnType<typeof admissionQueue<W>>;
