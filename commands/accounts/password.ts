import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AppError } from '../../kernel/errors.js';

/** scrypt's cost parameters: they travel with each hash ("scrypt$N$r$p$salt$key"). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

// scrypt at OWASP's recommended profile (Password Storage Cheat Sheet: N=2^17, r=8, p=1), the
// first of its table, not the weaker N=2^15 this service used before (which OWASP pairs with p=3).
// One hash takes 128 * N * r bytes = 128 MiB: HASHING_CONCURRENCY hashes at once hold at most
// HASHING_CONCURRENCY * 128 MiB (waiters in the queue hold none). Stored hashes of other
// parameters keep verifying, and are rehashed at these at the next successful login (login.ts,
// needsRehash). Tests pass lower parameters (CommandDeps.passwordParams).
export const PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 64;
// Room for N=2^17, r=8 (128 MiB) and scrypt's own small buffers; a stored hash asking for more is refused by node.
const SCRYPT_MAXMEM = 256 * 1024 * 1024;

// At most 2 hashes per core at once, and a bounded queue behind them: a flood of logins or
// registrations cannot take over libuv's thread pool (which file and DNS work share) or grow
// without bound. Past the queue: 503 BACKEND_UNAVAILABLE naming `password-hashing`; the client retries.
export const HASHING_CONCURRENCY = 2 * availableParallelism();
export const HASHING_QUEUE = 64;

/** A counting semaphore with a bounded queue: `run` refuses (null) when the queue is full. */
export const boundedSemaphore = (concurrency: number, queueLimit: number) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T | null> => {
    if (running >= concurrency) {
      if (waiting.length >= queueLimit) return null;
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
};

const hashing = boundedSemaphore(HASHING_CONCURRENCY, HASHING_QUEUE);

const scrypt = async (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> => {
  const key = await hashing(() => rawScrypt(password, salt, options));
  if (key === null) throw new AppError('BACKEND_UNAVAILABLE', 'password hashing is busy; retry shortly', [{ path: 'password-hashing', message: 'busy' }]);
  return key;
};

const rawScrypt = (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, { ...options, maxmem: SCRYPT_MAXMEM }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );

export const hashPassword = async (password: string, params: ScryptParams = PARAMS): Promise<string> => {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
};

/** Whether a stored hash was made with other parameters than `params` (older, or another scheme): rehash it at the next login. */
export const needsRehash = (stored: string, params: ScryptParams = PARAMS): boolean => {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== params.N || Number(r) !== params.r || Number(p) !== params.p;
};

// A hash of a password no one has, per parameters: what an unknown login is checked against, so
// that it costs what a known one costs (login.ts).
const decoys = new Map<string, Promise<string>>();
export const decoyHash = (params: ScryptParams = PARAMS): Promise<string> => {
  const key = `${params.N}$${params.r}$${params.p}`;
  let decoy = decoys.get(key);
  if (!decoy) {
    decoy = hashPassword('decoy password, never a real one', params);
    decoys.set(key, decoy);
    // A failed decoy (hashing busy) is made again next time.
    decoy.catch(() => decoys.delete(key));
  }
  return decoy;
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};
