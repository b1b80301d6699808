import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { AppError } from '../../kernel/errors.js';

// scrypt with OWASP's minimum cost (N=2^17 is stronger but takes ~128 MiB and ~250 ms on this
// machine's cores; 2^15 keeps registration responsive). Parameters travel with the hash, so
// they can be raised later without invalidating stored hashes.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 64;

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
    scryptCallback(password, salt, KEY_LENGTH, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );

export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
};

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};
