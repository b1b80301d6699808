import { describe, expect, it } from 'vitest';
import { hashingAs, hashPassword, loginAttempt, passwordHashingForTests, verifyPassword } from '../../../commands/accounts/password.js';
import { AppError } from '../../../kernel/errors.js';

// Password hashing goes through its admission queue (commands/accounts/hashing-admission.ts,
// tested on its own in hashing-admission.test.ts): here, that the hashes still come out right,
// that a failed hash frees its slot, and that a failed login makes its caller a suspect.

describe('password hashing', () => {
  it('hashes and verifies', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('wrong', hash)).toBe(false);
  });

  it('frees the slot when a hash fails', async () => {
    passwordHashingForTests.resize(1, 0);
    // N must be a power of two: scrypt refuses these parameters.
    await expect(verifyPassword('x', 'scrypt$3$8$1$c2FsdA==$a2V5')).rejects.toThrow();
    expect(passwordHashingForTests.load()).toEqual({ running: 0, trusted: 0, clean: 0, suspect: 0 });
    expect(await verifyPassword('x', await hashPassword('x'))).toBe(true);
  });

  it('a failed login makes its address and the account it named suspects: they wait behind clean callers and are refused with 429 at a full queue', async () => {
    passwordHashingForTests.resize(1, 1);
    const failing = { address: '203.0.113.50', login: 'victim' };
    await expect(loginAttempt(failing, () => Promise.reject(new AppError('INVALID_CREDENTIALS')))).rejects.toThrow();
    // Another refusal is not a failed login.
    await expect(loginAttempt({ address: '203.0.113.51', login: 'other' }, () => Promise.reject(new AppError('VALIDATION_FAILED')))).rejects.toThrow();

    const release = passwordHashingForTests.hold();
    const hash = hashPassword('x'); // takes the one slot
    const waiting = hashingAs({ address: '203.0.113.51', login: 'other' }).hash('y'); // clean: waits
    const refusals = await Promise.allSettled([
      hashingAs({ address: '203.0.113.50', login: null }).hash('z'),
      hashingAs({ address: '198.51.100.9', login: 'victim' }).hash('z'),
    ]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe('rejected');
      expect((refusal as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: expect.any(Number) });
    }
    // A clean caller at a full queue of clean callers is refused with 503 (overload).
    await expect(hashingAs({ address: '198.51.100.10', login: 'third' }).hash('w')).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      details: [{ path: 'password-hashing', message: 'busy' }],
    });
    release();
    await expect(Promise.all([hash, waiting])).resolves.toHaveLength(2);
  });
});
