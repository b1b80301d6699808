import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, otpauthUri, stepAt, TOTP_STEP_MS, totpAt, verifyTotp } from '../../../commands/accounts/totp.js';

// RFC 6238 Appendix B, SHA1 column: the ASCII secret "12345678901234567890", 8 digits.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

// Steps whose times (step x 30 s, in ms) stay exact in a double, with room for the offsets below:
// 2^32 steps reach past the year 6000. Beyond 2^53 ms a time is rounded and lands in another step.
const MAX_STEP = 2 ** 32;

describe('TOTP (commands/accounts/totp.ts)', () => {
  it.each(RFC_VECTORS)('gives RFC 6238 Appendix B (SHA1) at %i s', (seconds, code) => {
    expect(totpAt(RFC_SECRET, seconds * 1000, 8)).toBe(code);
  });

  it("gives RFC 4226 Appendix D's HOTP values, 6 digits", () => {
    expect([0, 1, 2, 9].map((counter) => hotp(RFC_SECRET, counter))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('encodes base32 as RFC 4648 does and reads it back', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZ1W')).toThrow(/base32/);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => base32Decode(base32Encode(Buffer.from(bytes))).equals(Buffer.from(bytes))));
  });

  // The rule: a code made for step t is accepted at steps t-1, t and t+1 (the window) and at no
  // other step; what it is accepted as is step t itself.
  it('accepts a code within one step either side of its own and nowhere beyond', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 2, max: MAX_STEP }), fc.integer({ min: -6, max: 6 }), fc.integer({ min: 0, max: TOTP_STEP_MS - 1 }), (bytes, step, offset, within) => {
        const secret = Buffer.from(bytes);
        const code = hotp(secret, step);
        const at = (step + offset) * TOTP_STEP_MS + within;
        const accepted = verifyTotp(secret, code, at);
        // Another step within the window may give the same 6 digits by chance (1 in a million): then it is accepted as that step.
        const collides = [-1, 0, 1].some((d) => step + offset + d >= 0 && step + offset + d !== step && hotp(secret, step + offset + d) === code);
        if (Math.abs(offset) <= 1) expect(accepted).toBe(step);
        else if (!collides) expect(accepted).toBeNull();
      }),
    );
  });

  // The rule: once a step is used (stored as lastUsedStep), no code of it or of an earlier step is accepted again.
  it('refuses a code of a step already used, or of an earlier one (replay)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 2, max: MAX_STEP }), fc.integer({ min: -1, max: 1 }), (bytes, step, offset) => {
        const secret = Buffer.from(bytes);
        const at = step * TOTP_STEP_MS;
        const used = verifyTotp(secret, hotp(secret, step + offset), at);
        expect(used).toBe(step + offset);
        expect(verifyTotp(secret, hotp(secret, step + offset), at, used)).toBeNull();
        if (offset > -1) expect(verifyTotp(secret, hotp(secret, step + offset - 1), at, used)).toBeNull();
        if (offset < 1) expect(verifyTotp(secret, hotp(secret, step + offset + 1), at, used)).toBe(step + offset + 1);
      }),
    );
  });

  it('refuses what is not six digits', () => {
    const at = 1_000_000 * TOTP_STEP_MS;
    const code = totpAt(RFC_SECRET, at);
    for (const wrong of ['', code.slice(1), `${code}0`, ` ${code.slice(1)}`, '12345a', totpAt(RFC_SECRET, at, 8)]) expect(verifyTotp(RFC_SECRET, wrong, at)).toBeNull();
    expect(verifyTotp(RFC_SECRET, code, at)).toBe(stepAt(at));
  });

  it('names the secret, issuer and account in the otpauth URI', () => {
    const uri = new URL(otpauthUri(RFC_SECRET, 'Instagram ES', 'ada'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Instagram ES:ada');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: base32Encode(RFC_SECRET), issuer: 'Instagram ES', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
