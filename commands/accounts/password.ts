import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../kernel/errors.js';
import {
  admissionQueue,
  FAILED_LOGIN_MEMORY,
  failureKeysOf,
  HASHING_CONCURRENCY,
  HASHING_QUEUE,
  keyMemory,
  standingOf,
  SUSPECT_RETRY_AFTER_SECONDS,
  TRUSTED_LOGIN_MEMORY,
  trustKeysOf,
  type HashingCaller,
  type Standing,
} from './hashing-admission.js';

/** scrypt's cost parameters: they travel with each hash ("scrypt$N$r$p$salt$key"). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

// scrypt at OWASP's recommended profile (Password Storage Cheat Sheet: N=2^17, r=8, p=1), the
// first of its table, not the weaker N=2^15 this service used before (which OWASP pairs with p=3).
// One hash takes 128 * N * r bytes = 128 MiB: the HASHING_CONCURRENCY hashes at once
// (hashing-admission.ts, one per core) hold at most that many times 128 MiB, 256 MiB on 2 cores
// (waiters in the queue hold none). Stored hashes of other
// parameters keep verifying, and are rehashed at these at the next successful login (login.ts,
// needsRehash). Tests pass lower parameters (CommandDeps.passwordParams).
export const PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 64;
// Room for N=2^17, r=8 (128 MiB) and scrypt's own small buffers; a stored hash asking for more is refused by node.
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

// Every hash is admitted by the queue of hashing-admission.ts (HASHING_CONCURRENCY at once,
// HASHING_QUEUE waiting, by standing: trusted pairs first, suspects of a recent failed login
// last), so that a flood of logins or registrations can neither take over libuv's thread pool nor
// crowd out the callers it has not made suspects. The caller is the request's, passed explicitly:
// the HTTP routes bind it with `hashingAs` and hand the handlers deps whose `hashing` is that
// caller's (`withHashingAs`, commands/http/account-routes.ts); a hash with no caller is clean.
// Not an AsyncLocalStorage: in Node 20 one turns on promise hooks for the whole process, a tax on
// every promise of every route (bench:http profile: promiseInitHook, _propagate, ~4 % of CPU)
// paid for the few requests that hash.

interface Waiter {
  admit: () => void;
  refuse: (refusal: AppError) => void;
}

let queue = admissionQueue<Waiter>(HASHING_CONCURRENCY, HASHING_QUEUE);
const logins = { failed: keyMemory(FAILED_LOGIN_MEMORY), trusted: keyMemory(TRUSTED_LOGIN_MEMORY) };

/** A suspect turned away: a rate limit on its own failures, not an outage; Retry-After says when to come back. */
export class SuspectHashingRefused extends AppError {
  readonly retryAfterSeconds = SUSPECT_RETRY_AFTER_SECONDS;
  constructor() {
    super('RATE_LIMITED', 'too many failed logins from this address or for this account while logins are busy; retry later', [
      { path: 'password-hashing', message: 'recent failed logins' },
    ]);
  }
}

// A clean or trusted caller turned away: hashing is saturated by callers in good standing, the platform is overloaded.
const busy = () => new AppError('BACKEND_UNAVAILABLE', 'password hashing is busy; retry shortly', [{ path: 'password-hashing', message: 'busy' }]);
const refusalFor = (standing: Standing) => (standing === 'suspect' ? new SuspectHashingRefused() : busy());

/**
 * Runs a login attempt with its hashing admitted as `caller`'s (`attempt` is given hashingAs(caller))
 * and remembers how it went: a success by the caller's address group and account together
 * (TRUSTED_LOGIN_MEMORY), a failure (INVALID_CREDENTIALS) by each of them (FAILED_LOGIN_MEMORY),
 * which also ends the pair's trust.
 */
export const loginAttempt = async <T>(caller: HashingCaller, attempt: (hashing: PasswordHashing) => Promise<T>): Promise<T> => {
  try {
    const loggedIn = await attempt(hashingAs(caller));
    logins.trusted.remember(trustKeysOf(caller), Date.now());
    return loggedIn;
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') {
      logins.failed.remember(failureKeysOf(caller), Date.now());
      logins.trusted.forget(trustKeysOf(caller));
    }
    throw error;
  }
};

// Test-only: holds every admitted hash before it starts until released, and sizes the queue, so an
// e2e test can fill the queue with waiters and see who is let in, without timing.
let held: Promise<void> | null = null;
export const passwordHashingForTests = {
  resize(concurrency: number, queueLimit: number) {
    queue = admissionQueue<Waiter>(concurrency, queueLimit);
  },
  hold(): () => void {
    let release!: () => void;
    held = new Promise((resolve) => (release = resolve));
    return () => {
      held = null;
      release();
    };
  },
  load: () => queue.load(),
};

const admitted = async <T>(caller: HashingCaller | undefined, task: () => Promise<T>): Promise<T> => {
  const standing = caller === undefined ? 'clean' : standingOf(caller, logins, Date.now());
  const own = queue;
  let waiter!: Waiter;
  const turn = new Promise<void>((admit, refuse) => (waiter = { admit, refuse }));
  const arrival = own.arrive(waiter, standing);
  if (arrival.outcome === 'refused') throw refusalFor(standing);
  if (arrival.outcome === 'queued') {
    if (arrival.displaced) arrival.displaced.waiter.refuse(refusalFor(arrival.displaced.standing));
    await turn;
  }
  try {
    if (held) await held;
    return await task();
  } finally {
    // The slot passes straight to the next in line, or is freed.
    own.finish()?.admit();
  }
};

const scrypt = (caller: HashingCaller | undefined, password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  admitted(
    caller,
    () =>
      new Promise((resolve, reject) =>
        scryptCallback(password, salt, KEY_LENGTH, { ...options, maxmem: SCRYPT_MAXMEM }, (error, key) => (error ? reject(error) : resolve(key))),
      ),
  );

/** Password hashing admitted as one caller's (hashingAs): what a handler hashes and verifies with. */
export interface PasswordHashing {
  hash(password: string, params?: ScryptParams): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** The decoy hash of `params` (decoyHash), made as this caller's if it is not made yet. */
  decoy(params?: ScryptParams): Promise<string>;
}

/** Whether a stored hash was made with other parameters than `params` (older, or another scheme): rehash it at the next login. */
export const needsRehash = (stored: string, params: ScryptParams = PARAMS): boolean => {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p;
};

// A hash of a password no one has, per parameters: what an unknown login is checked against, so
// that it costs what a known one costs (login.ts).
const decoys = new Map<string, Promise<string>>();

/** Password hashing whose every hash is admitted as `caller`'s (undefined: a clean caller). */
export const hashingAs = (caller: HashingCaller | undefined): PasswordHashing => {
  const hash = async (password: string, params: ScryptParams = PARAMS): Promise<string> => {
    const salt = randomBytes(16);
    const key = await scrypt(caller, password, salt, params);
    return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
  };
  return {
    hash,
    async verify(password, stored) {
      const [scheme, n, r, p, salt, key] = stored.split('$');
      if (scheme !== 'scrypt' || !salt || !key) return false;
      const expected = Buffer.from(key, 'base64');
      const actual = await scrypt(caller, password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    decoy(params = PARAMS) {
      const key = `${params.N}$${params.r}$${params.p}`;
      let decoy = decoys.get(key);
      if (!decoy) {
        decoy = hash('decoy password, never a real one', params);
        decoys.set(key, decoy);
        // A failed decoy (hashing busy) is made again next time.
        decoy.catch(() => decoys.delete(key));
      }
      return decoy;
    },
  };
};

/** A clean caller's hashing: what a handler uses when its deps bind no caller (CommandDeps.hashing), and the tests. */
export const cleanHashing = hashingAs(undefined);
export const hashPassword = cleanHashing.hash;
export const verifyPassword = cleanHashing.verify;
export const decoyHash = cleanHashing.decoy;

/** The hashing of a handler's deps: the caller the route bound (CommandDeps.hashing), or a clean one. */
export const hashingOf = (deps: { hashing?: PasswordHashing | undefined }): PasswordHashing => deps.hashing ?? cleanHashing;
