import { availableParallelism } from 'node:os';

// Who gets password hashing when it is scarce (docs/rules.md). scrypt is the one costly step of
// login and registration, and its capacity is this process's cores: per-address and per-account
// rate limits cannot stop a flood spread over many addresses within its first window, so the
// hashing queue itself tells callers apart. A caller with a recent failed login, by address or by
// the account it names, is "suspect": it waits behind every other caller, is the first pushed out
// when the queue is full, and is refused when it arrives at a full queue. Everyone else is
// "clean", and a clean caller is turned away only when the queue is full of clean callers. Pure:
// the clock is passed in; commands/accounts/password.ts runs the hashes through it.

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
 * (an address and a named account per failure; ~10 MB, ~40 MB were every name 320 characters) hold more than 15 minutes of
 * failures at the rate the hashing can produce them on a few cores; past it the least recently
 * failed key is forgotten first, which is the one nearest to expiring anyway.
 */
export const FAILED_LOGIN_MEMORY = { ttlMs: 15 * 60_000, maxKeys: 100_000 } as const;

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

/**
 * Failed logins by key, each kept `ttlMs` after its latest failure, `maxKeys` at most. A Map's
 * order is the order of insertion, and a failure re-inserts its key, so the first key is always
 * the least recently failed: the one evicted first and expired first.
 */
export const failureMemory = ({ ttlMs, maxKeys }: { ttlMs: number; maxKeys: number }) => {
  const lastFailure = new Map<string, number>();
  const expired = (failedAt: number, at: number) => at - failedAt >= ttlMs;
  return {
    record(keys: readonly string[], at: number) {
      for (const key of keys) {
        lastFailure.delete(key);
        lastFailure.set(key, at);
      }
      for (const [key, failedAt] of lastFailure) {
        if (lastFailure.size <= maxKeys && !expired(failedAt, at)) break;
        lastFailure.delete(key);
      }
    },
    /** Whether any of `keys` failed within the last `ttlMs`. */
    failedRecently(keys: readonly string[], at: number): boolean {
      return keys.some((key) => {
        const failedAt = lastFailure.get(key);
        return failedAt !== undefined && !expired(failedAt, at);
      });
    },
    get size() {
      return lastFailure.size;
    },
  };
};

export type FailureMemory = ReturnType<typeof failureMemory>;

/** What became of a caller arriving at the queue. `displaced`: a suspect waiter pushed out to make room, to be refused. */
export type Arrival<W> = { outcome: 'run' } | { outcome: 'queued'; displaced: W | null } | { outcome: 'refused' };

/**
 * `concurrency` tasks at once and `queueLimit` waiters, clean waiters first (in arrival order),
 * then suspect ones (in arrival order). At a full queue a clean arrival displaces the newest
 * suspect waiter (the one that would have waited longest), or is refused when none waits; a suspect
 * arrival is refused. A waiter is whatever the caller needs to wake it (password.ts: its promise's
 * resolve and reject).
 */
export const admissionQueue = <W>(concurrency: number, queueLimit: number) => {
  let running = 0;
  const clean: W[] = [];
  const suspect: W[] = [];
  return {
    arrive(waiter: W, isSuspect: boolean): Arrival<W> {
      if (running < concurrency) {
        running += 1;
        return { outcome: 'run' };
      }
      if (clean.length + suspect.length < queueLimit) {
        (isSuspect ? suspect : clean).push(waiter);
        return { outcome: 'queued', displaced: null };
      }
      if (isSuspect || suspect.length === 0) return { outcome: 'refused' };
      const displaced = suspect.pop()!;
      clean.push(waiter);
      return { outcome: 'queued', displaced };
    },
    /** A task finished: its slot passes straight to the next waiter, returned to be woken, or is freed (null). */
    finish(): W | null {
      if (clean.length > 0) return clean.shift()!;
      if (suspect.length > 0) return suspect.shift()!;
      running -= 1;
      return null;
    },
    load() {
      return { running, clean: clean.length, suspect: suspect.length };
    },
  };
};

export type AdmissionQueue<W> = ReturnType<typeof admissionQueue<W>>;
