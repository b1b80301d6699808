import { createHmac, timingSafeEqual } from 'node:crypto';

// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
// 6 digits, as every authenticator app computes them. Pure: the time is passed in, in
// milliseconds since the epoch; whoever calls keeps the clock (commands/accounts/two-factor.ts).

export const TOTP_STEP_MS = 30_000;
export const TOTP_DIGITS = 6;
/** Steps either side of the current one a code is still accepted at: clocks drift and people type slowly. */
export const TOTP_WINDOW = 1;
/** 160 bits: RFC 4226's recommended secret length for HMAC-SHA1. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: what otpauth:// URIs and authenticator apps take. */
export const base32Encode = (bytes: Buffer): string => {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
};

/** Reads base32 (case and padding ignored); throws on any other character. */
export const base32Decode = (text: string): Buffer => {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.toUpperCase().replace(/=+$/, '')) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
};

/** The time step a moment falls in (RFC 6238 T, with T0 = 0). */
export const stepAt = (timeMs: number): number => Math.floor(timeMs / TOTP_STEP_MS);

/** RFC 4226 HOTP for one counter value, `digits` long (RFC 6238's vectors use 8). */
export const hotp = (secret: Buffer, counter: number, digits: number = TOTP_DIGITS): string => {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
};

/** The code an authenticator shows at `timeMs`. */
export const totpAt = (secret: Buffer, timeMs: number, digits: number = TOTP_DIGITS): string => hotp(secret, stepAt(timeMs), digits);

/**
 * The step `code` was made for, if it is one of the steps within TOTP_WINDOW of `timeMs` and
 * later than `lastUsedStep` (replay protection: a code once accepted, or any code of an earlier
 * step, is refused; the caller stores the step returned). Null when it matches none.
 */
export const verifyTotp = (secret: Buffer, code: string, timeMs: number, lastUsedStep: number | null = null): number | null => {
  if (!/^\d+$/.test(code) || code.length !== TOTP_DIGITS) return null;
  const now = stepAt(timeMs);
  for (let step = now - TOTP_WINDOW; step <= now + TOTP_WINDOW; step++) {
    if (step < 0 || (lastUsedStep !== null && step <= lastUsedStep)) continue;
    if (timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(code))) return step;
  }
  return null;
};

/** The provisioning URI authenticator apps read (as a QR code): Google Authenticator's Key Uri Format. */
export const otpauthUri = (secret: Buffer, issuer: string, account: string): string => {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret: base32Encode(secret), issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_MS / 1000) });
  return `otpauth://totp/${label}?${query.toString()}`;
};
