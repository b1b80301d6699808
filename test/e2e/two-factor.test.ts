import { describe, expect, it } from 'vitest';
import { base32Decode, TOTP_STEP_MS, totpAt } from '../../commands/accounts/totp.js';
import { TWO_FACTOR_CHALLENGE_ATTEMPTS, TWO_FACTOR_CHALLENGE_TTL_MS } from '../../commands/accounts/two-factor.js';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Two-factor authentication through the HTTP API (commands/accounts/two-factor.ts), on a fixed
// clock (createPlatform's twoFactorClock) so that the test computes the codes an authenticator
// shows: enrolment, confirmation, the two-step login, wrong, replayed and recovery codes,
// disabling, and login in one step again after it.

// A moment at the start of a TOTP step; tests move it by whole steps.
let clock = 1_900_000_000 * 1000 - ((1_900_000_000 * 1000) % TOTP_STEP_MS);
const { t, api } = useTestApp({ twoFactorClock: () => clock });
const PASSWORD = 'correct horse battery';
const advance = (steps: number) => (clock += steps * TOTP_STEP_MS);
/** Six digits that are no code of `secret` within the window now (a fixed guess could be one, once in a million). */
const wrongCode = (secret: Buffer) => {
  const window = [-1, 0, 1].map((step) => totpAt(secret, clock + step * TOTP_STEP_MS));
  return ['123456', '654321', '111111', '999999'].find((guess) => !window.includes(guess))!;
};

const enroll = (user: User, password = PASSWORD) => api.call('POST', '/api/v1/auth/2fa/enroll', { token: user.token, body: { password } });
const confirm = (user: User, code: string) => api.call('POST', '/api/v1/auth/2fa/confirm', { token: user.token, body: { code } });
const disable = (user: User, code: string, password = PASSWORD) => api.call('POST', '/api/v1/auth/2fa/disable', { token: user.token, body: { password, code } });
const me = async (user: User) => (await api.call('GET', '/api/v1/auth/me', { token: user.token })).body;
const login = (username: string) => api.call('POST', '/api/v1/users/login', { body: { username, password: PASSWORD } });
const secondStep = (challenge: string, code: string) => api.call('POST', '/api/v1/auth/login/2fa', { body: { challenge, code } });

/** A user with 2FA on: its secret and recovery codes. */
const withTwoFactor = async () => {
  const user = await api.register();
  const enrolled = await enroll(user);
  expect(enrolled.status).toBe(201);
  const secret = base32Decode(enrolled.body.secret);
  const confirmed = await confirm(user, totpAt(secret, clock));
  expect(confirmed.status).toBe(200);
  advance(1); // the confirming code's step is used: the next code is another step's
  return { user, secret, recoveryCodes: confirmed.body.recoveryCodes as string[], code: () => totpAt(secret, clock) };
};

describe('two-factor authentication', () => {
  it('enrols with the password: a base32 secret and its otpauth URI, stored sealed; login stays one step until confirmed', async () => {
    const ada = await api.register();
    expect((await enroll(ada, 'not the password')).body.error.code).toBe('WRONG_PASSWORD');
    const enrolled = await enroll(ada);
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    const uri = new URL(enrolled.body.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(uri.searchParams.get('secret')).toBe(enrolled.body.secret);
    expect(decodeURIComponent(uri.pathname)).toContain(ada.username);
    const { rows } = await t.db.pool.query('select * from two_factor where user_id = $1', [ada.userId]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(enrolled.body.secret);
    expect(rows[0].sealed_secret).toMatch(/^enc:v1:/);
    // Not confirmed: not asked for, and not on.
    expect((await login(ada.username)).body.accessToken).toEqual(expect.any(String));
    expect((await me(ada)).twoFactorEnabled).toBe(false);
    expect((await confirm(ada, wrongCode(base32Decode(enrolled.body.secret)))).body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
  });

  it('confirms with a current code: ten distinct recovery codes, stored hashed; then login takes two steps, issuing the session as login does', async () => {
    const { user, recoveryCodes, code } = await withTwoFactor();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const stored = JSON.stringify((await t.db.pool.query('select * from two_factor_recovery_codes where user_id = $1', [user.userId])).rows);
    for (const recoveryCode of recoveryCodes) expect(stored).not.toContain(recoveryCode);
    expect((await confirm(user, code())).body.error.code).toBe('TWO_FACTOR_ENABLED');
    expect((await enroll(user)).body.error.code).toBe('TWO_FACTOR_ENABLED');
    expect((await me(user)).twoFactorEnabled).toBe(true);

    const first = await login(user.username);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['challenge', 'expiresAt', 'twoFactorRequired']);
    expect(first.body.twoFactorRequired).toBe(true);
    expect(Date.parse(first.body.expiresAt)).toBe(clock + TWO_FACTOR_CHALLENGE_TTL_MS);
    const second = await secondStep(first.body.challenge, code());
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ userId: user.userId, username: user.username });
    expect(Object.keys(second.body).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'deletion', 'refreshToken', 'sessionId', 'userId', 'username']);
    expect(second.body.deletion).toBeNull();
    expect((await api.call('GET', '/api/v1/auth/sessions', { token: second.body.accessToken })).status).toBe(200);
    // The challenge is used up.
    advance(1);
    expect((await secondStep(first.body.challenge, code())).body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a wrong code, a replayed code, and a code beyond the window; a challenge takes five codes and lives five minutes', async () => {
    const { user, secret, code } = await withTwoFactor();
    const { challenge } = (await login(user.username)).body;
    const wrong = await secondStep(challenge, wrongCode(secret));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    // A code of two steps ago is beyond the ±1 window.
    expect((await secondStep(challenge, totpAt(secret, clock - 2 * TOTP_STEP_MS))).status).toBe(401);
    const used = code();
    expect((await secondStep(challenge, used)).status).toBe(200);
    // The same code again, within its window, with a fresh challenge: replay refused.
    const again = (await login(user.username)).body.challenge;
    expect((await secondStep(again, used)).body.error.code).toBe('INVALID_CREDENTIALS');
    // The previous step's code too: it is older than the one used.
    expect((await secondStep(again, totpAt(secret, clock - TOTP_STEP_MS))).status).toBe(401);
    // The next step's code is fresh (one step ahead is within the window).
    expect((await secondStep(again, totpAt(secret, clock + TOTP_STEP_MS))).status).toBe(200);

    advance(3);
    const guessed = (await login(user.username)).body.challenge;
    for (let attempt = 0; attempt < TWO_FACTOR_CHALLENGE_ATTEMPTS; attempt++) expect((await secondStep(guessed, 'aaaa-bbbb-cccc-dddd')).status).toBe(401);
    expect((await secondStep(guessed, code())).status).toBe(401); // used up by the guesses, right code or not

    const late = (await login(user.username)).body.challenge;
    advance(TWO_FACTOR_CHALLENGE_TTL_MS / TOTP_STEP_MS + 1);
    expect((await secondStep(late, code())).status).toBe(401);
  });

  it('takes a recovery code once, typed in any case and without dashes', async () => {
    const { user, recoveryCodes } = await withTwoFactor();
    const typed = recoveryCodes[0]!.replace(/-/g, '').toUpperCase();
    expect((await secondStep((await login(user.username)).body.challenge, typed)).status).toBe(200);
    const twice = await secondStep((await login(user.username)).body.challenge, recoveryCodes[0]!);
    expect(twice.status).toBe(401);
    expect(twice.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await secondStep((await login(user.username)).body.challenge, recoveryCodes[1]!)).status).toBe(200);
  });

  it('disables with the password and a code (TOTP or recovery); login is one step again', async () => {
    const { user, secret, recoveryCodes, code } = await withTwoFactor();
    expect((await disable(user, code(), 'not the password')).body.error.code).toBe('WRONG_PASSWORD');
    expect((await disable(user, wrongCode(secret))).body.error.code).toBe('TWO_FACTOR_CODE_INVALID');
    expect((await login(user.username)).body.twoFactorRequired).toBe(true);
    const disabled = await disable(user, recoveryCodes[3]!);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ twoFactorEnabled: false });
    expect((await me(user)).twoFactorEnabled).toBe(false);
    expect((await disable(user, code())).body.error.code).toBe('TWO_FACTOR_NOT_ENABLED');
    const oneStep = await login(user.username);
    expect(oneStep.body.twoFactorRequired).toBeUndefined();
    expect(oneStep.body.accessToken).toEqual(expect.any(String));
    for (const table of ['two_factor', 'two_factor_recovery_codes', 'two_factor_challenges']) {
      expect((await t.db.pool.query(`select 1 from ${table} where user_id = $1`, [user.userId])).rowCount, table).toBe(0);
    }

    const other = await withTwoFactor();
    expect((await disable(other.user, other.code())).status).toBe(200);
  });

  it('refuses bad bodies with stable codes and appends no event for any of it', async () => {
    const user = await api.register();
    const before = (await t.allEvents()).length;
    for (const [url, body] of [
      ['/api/v1/auth/2fa/enroll', {}],
      ['/api/v1/auth/2fa/enroll', { password: '' }],
      ['/api/v1/auth/2fa/confirm', { code: '12345' }],
      ['/api/v1/auth/2fa/confirm', { code: 123456 }],
      ['/api/v1/auth/2fa/disable', { password: PASSWORD }],
      ['/api/v1/auth/2fa/disable', { password: PASSWORD, code: 'x'.repeat(33) }],
      ['/api/v1/auth/login/2fa', { challenge: 'c', code: '123456', more: 1 }],
      ['/api/v1/auth/login/2fa', { challenge: 'x'.repeat(257), code: '123456' }],
    ] as const) {
      const refused = await api.call('POST', url, { token: user.token, body });
      expect(refused.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await confirm(user, '123456')).body.error.code).toBe('TWO_FACTOR_NOT_ENROLLED');
    expect((await secondStep('never-issued', '123456')).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await t.allEvents()).length).toBe(before);
  });
});
