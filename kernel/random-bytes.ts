import { randomFillSync } from 'node:crypto';

// Random bytes for the hot path's many small draws (event and entity ids, AES-GCM nonces), taken
// from a pool filled POOL_BYTES at a time. Each call into OpenSSL's generator costs the same
// whether it fills 16 bytes or 4 KiB (about 7 µs on the bench machine: randomBytes(12),
// crypto.getRandomValues for a UUIDv7), and create-post made three of them, ~3 % of its CPU
// (bench:http profile). The bytes are the same CSPRNG's, and each is handed out once: a draw is
// copied out of the pool and the pool's cursor moves past it (Node pools crypto.randomUUID the same way).

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

/** `size` fresh random bytes (at most POOL_BYTES), in a Buffer of their own. */
export const pooledRandomBytes = (size: number): Buffer => {
  if (size > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} pooled random bytes at once, asked for ${size}`);
  if (next + size > POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = Buffer.from(pool.subarray(next, next + size));
  next += size;
  return bytes;
};
