import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { pooledRandomBytes } from '../../kernel/random-bytes.js';

// The sealed form of personal data: AES-256-GCM under a 32-byte key, written as
// `enc:v1:` + base64url(iv ‖ tag ‖ ciphertext). The version names the cipher and the layout, so
// that a later change (another cipher, a key id) reads old text by its prefix. The associated
// data binds the text to where it belongs (an event's id and type, a snapshot's stream): sealed
// text copied to another place does not open.

export const SEALED_PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** Sealed text that does not open: damaged, moved from where it was sealed, or sealed under another key. */
export class SealedTextError extends Error {
  constructor(reason: string) {
    super(`personal data does not open: ${reason}`);
    this.name = 'SealedTextError';
  }
}

export const isSealedText = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

// A data key as OpenSSL takes it, made once per key Buffer (the key stores hand out the same Buffer
// for as long as they cache it): a raw Buffer is imported again by every createCipheriv.
const cipherKeys = new WeakMap<Buffer, KeyObject>();
const cipherKeyOf = (key: Buffer): KeyObject => {
  let cipherKey = cipherKeys.get(key);
  if (!cipherKey) cipherKeys.set(key, (cipherKey = createSecretKey(key)));
  return cipherKey;
};

export const seal = (key: Buffer, plaintext: string | Buffer, associatedData: string): string => {
  // A fresh 96-bit nonce per seal, from the pool: one OpenSSL call per seal was ~1 % of create-post.
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', cipherKeyOf(key), iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  // Written once into the buffer encoded (iv ‖ tag ‖ ciphertext): GCM gives the ciphertext from
  // update (final adds nothing), so no concatenation is needed on the path of every sealed append.
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const sealed = Buffer.allocUnsafe(IV_BYTES + TAG_BYTES + body.length + tail.length);
  iv.copy(sealed, 0);
  cipher.getAuthTag().copy(sealed, IV_BYTES);
  body.copy(sealed, IV_BYTES + TAG_BYTES);
  tail.copy(sealed, IV_BYTES + TAG_BYTES + body.length);
  return SEALED_PREFIX + sealed.toString('base64url');
};

/** The plaintext, or a SealedTextError when the text is not well formed or fails its authentication. */
export const open = (key: Buffer, sealed: string, associatedData: string): Buffer => {
  if (!isSealedText(sealed)) throw new SealedTextError(`not ${SEALED_PREFIX} text`);
  const bytes = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new SealedTextError('too short');
  const decipher = createDecipheriv('aes-256-gcm', cipherKeyOf(key), bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealedTextError('authentication failed');
  }
};

const keyIds = new WeakMap<Buffer, string>();

/**
 * Names a data key without revealing it (a truncated SHA-256 of a random 32-byte key), kept beside
 * what it sealed: text sealed under a key since destroyed, when the person has a new key, is told
 * apart from damage.
 */
export const keyIdOf = (key: Buffer): string => {
  let id = keyIds.get(key);
  if (!id) keyIds.set(key, (id = createHash('sha256').update(key).digest('base64url').slice(0, 16)));
  return id;
};
