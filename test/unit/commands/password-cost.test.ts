import { describe, expect, it } from 'vitest';
import { decoyHash, hashPassword, needsRehash, PARAMS, verifyPassword } from '../../../commands/accounts/password.js';
import { hashAccountToken, newAccountToken } from '../../../commands/accounts/account-tokens.js';

// The cost of password hashes (commands/accounts/password.ts, security review F17): new hashes at
// OWASP's recommended scrypt profile, older ones still verifying and marked for a rehash.

const OLD = { N: 2 ** 15, r: 8, p: 1 };

describe('password hash cost', () => {
  it("is OWASP's recommended scrypt profile: N=2^17, r=8, p=1, written into each hash", async () => {
    expect(PARAMS).toEqual({ N: 131_072, r: 8, p: 1 });
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(hash)).toBe(false);
  });

  it('still verifies a hash of the older N=2^15, and marks it, and anything not of today\'s parameters, for a rehash', async () => {
    const old = await hashPassword('correct horse battery', OLD);
    expect(old).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(old, OLD)).toBe(false);
    expect(needsRehash(old.replace('$8$1$', '$8$3$'), OLD)).toBe(true);
    expect(needsRehash('bcrypt$whatever')).toBe(true);
  });

  it('makes one decoy per set of parameters, at those parameters', async () => {
    const decoy = await decoyHash(OLD);
    expect(decoy).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await decoyHash(OLD)).toBe(decoy);
  });
});

describe('mailed link tokens', () => {
  it('are 32 random bytes in base64url, stored as their SHA-256 only', () => {
    const token = newAccountToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newAccountToken()).not.toBe(token);
    expect(hashAccountToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAccountToken(token)).toBe(hashAccountToken(token));
    expect(hashAccountToken(token)).not.toContain(token);
  });
});
