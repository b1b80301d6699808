import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, PARAMS, passwordHashingForTests } from '../../commands/accounts/password.js';
import { apiClient, type User } from '../support/api-client.js';
import { startTestSmtpServer, tokenIn, type TestSmtpServer } from '../support/smtp-server.js';
import { startTestApp, useTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// Passwords and mailed links end to end (docs/architecture.md "Passwords and mailed links"):
// through a real SMTP server on loopback (SMTP_URL), reading each token from the mail received,
// and through the embedded default (the mail_outbox table and the log). The SMTP app hashes at
// the platform's real cost (PARAMS), so that the upgrade of older hashes is seen at it.

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

// Two apps in one file, on small pools (the test database serves every file running at once).
const database = { apiPoolSize: 3, workerPoolSize: 3 };
// The embedded default: no SMTP_URL.
const { t: outbox, api: outboxApi } = useTestApp({ database });

let smtp: TestSmtpServer;
let mailed: TestApp;
let api: ApiClient;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  mailed = await startTestApp({ mail: { smtpUrl: smtp.url, from: 'accounts@example.com' }, passwordParams: PARAMS, database });
  api = apiClient(mailed.app);
}, 60_000);
afterAll(async () => {
  await mailed?.close();
  await smtp?.close();
});

const login = (client: ApiClient, username: string, password: string) => client.call('POST', '/api/v1/users/login', { body: { username, password } });
const me = async (client: ApiClient, user: User) => (await client.call('GET', '/api/v1/auth/me', { token: user.token })).body;
/** The next mail to `email`, and the token it carries. */
const nextMail = async (email: string) => {
  const mail = await smtp.mailTo(email, smtp.received.length);
  return { mail, token: tokenIn(mail.text) };
};
const askReset = (client: ApiClient, email: string) => client.call('POST', '/api/v1/auth/password-reset', { body: { email } });
const confirmReset = (client: ApiClient, token: string, newPassword = NEW_PASSWORD) =>
  client.call('POST', '/api/v1/auth/password-reset/confirm', { body: { token, newPassword } });

describe('email verification (through SMTP)', () => {
  it('mails a link at registration; the unverified account logs in, its profile says unverified until the link is followed once', async () => {
    const waiting = smtp.mailTo('vera@example.com', smtp.received.length);
    const vera = await api.register('vera');
    const mail = await waiting;
    expect(mail.text).toContain('From: accounts@example.com');
    expect(mail.text).toContain('Subject: Verify your email');
    expect(await me(api, vera)).toEqual({ userId: vera.userId, username: 'vera', email: 'vera@example.com', emailVerified: false, twoFactorEnabled: false, deletion: null });
    expect((await login(api, 'vera', PASSWORD)).status).toBe(200);

    const token = tokenIn(mail.text);
    const verified = await api.call('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ userId: vera.userId, emailVerified: true });
    expect((await me(api, vera)).emailVerified).toBe(true);

    const again = await api.call('POST', '/api/v1/auth/verify-email', { body: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'ACCOUNT_TOKEN_INVALID', details: [{ path: 'token' }] });
  });

  it('resends a link that replaces the first; a verified account is mailed nothing more', async () => {
    const first = smtp.mailTo('remy@example.com', smtp.received.length);
    const remy = await api.register('remy');
    const firstToken = tokenIn((await first).text);
    const resent = nextMail('remy@example.com');
    const resend = await api.call('POST', '/api/v1/auth/verify-email/resend', { token: remy.token });
    expect(resend.status).toBe(202);
    expect(resend.body).toEqual({ emailVerified: false });
    const { token } = await resent;
    expect(token).not.toBe(firstToken);
    expect((await api.call('POST', '/api/v1/auth/verify-email', { body: { token: firstToken } })).body.error.code).toBe('ACCOUNT_TOKEN_INVALID');
    expect((await api.call('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(200);

    const count = smtp.received.length;
    const after = await api.call('POST', '/api/v1/auth/verify-email/resend', { token: remy.token });
    expect(after.body).toEqual({ emailVerified: true });
    await mailed.platform.commands.accountLinks.settled();
    expect(smtp.received.length).toBe(count);
  });
});

describe('password reset (through SMTP)', () => {
  it('mails a single-use link: it sets a new password once and ends every session, the old password stops working, and a second use is refused', async () => {
    const rita = await api.register('rita');
    const otherDevice = (await login(api, 'rita', PASSWORD)).body.accessToken as string;
    await mailed.platform.commands.accountLinks.settled();
    const mailing = nextMail('rita@example.com');
    const asked = await askReset(api, 'Rita@Example.com');
    expect(asked.status).toBe(202);
    const { mail, token } = await mailing;
    expect(mail.text).toContain('Subject: Reset your password');

    const confirmed = await confirmReset(api, token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ userId: rita.userId, endedSessions: 2 });
    for (const token of [rita.token, otherDevice]) expect((await api.call('GET', '/api/v1/auth/me', { token })).status).toBe(401);
    expect((await login(api, 'rita', PASSWORD)).status).toBe(401);
    const again = await login(api, 'rita', NEW_PASSWORD);
    expect(again.status).toBe(200);
    // Following the link proved the mailbox.
    expect((await me(api, { ...rita, token: again.body.accessToken })).emailVerified).toBe(true);

    const reused = await confirmReset(api, token, 'yet another passphrase');
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('ACCOUNT_TOKEN_INVALID');
    expect((await login(api, 'rita', NEW_PASSWORD)).status).toBe(200);
  });

  it('answers a known and an unknown email alike, and mails only the known one', async () => {
    await api.register('kim');
    await mailed.platform.commands.accountLinks.settled();
    const before = smtp.received.length;
    const known = await askReset(api, 'kim@example.com');
    const unknown = await askReset(api, 'nobody-here@example.com');
    const notAnEmail = await askReset(api, 'kim');
    for (const answer of [unknown, notAnEmail]) {
      expect(answer.status).toBe(known.status);
      expect(answer.body).toEqual(known.body);
      expect(answer.headers['content-length']).toBe(known.headers['content-length']);
    }
    expect(known.status).toBe(202);
    await mailed.platform.commands.accountLinks.settled();
    expect(smtp.received.slice(before).map((mail) => mail.to)).toEqual([['kim@example.com']]);
  });

  it('refuses an expired link, and an older link once a newer one was mailed', async () => {
    await api.register('ezra');
    await mailed.platform.commands.accountLinks.settled();
    const first = nextMail('ezra@example.com');
    await askReset(api, 'ezra@example.com');
    const older = (await first).token;
    const second = nextMail('ezra@example.com');
    await askReset(api, 'ezra@example.com');
    const newer = (await second).token;
    expect((await confirmReset(api, older)).body.error.code).toBe('ACCOUNT_TOKEN_INVALID');

    // Past PASSWORD_RESET_TTL (moved there rather than waited for).
    await mailed.db.pool.query("update account_tokens set expires_at = now() - interval '1 second' where purpose = 'password-reset'");
    const expired = await confirmReset(api, newer);
    expect(expired.status).toBe(400);
    expect(expired.body.error.code).toBe('ACCOUNT_TOKEN_INVALID');
    expect((await login(api, 'ezra', PASSWORD)).status).toBe(200);
  });

  it('stores link tokens hashed, never as mailed', async () => {
    await api.register('hugo');
    await mailed.platform.commands.accountLinks.settled();
    const mailing = nextMail('hugo@example.com');
    await askReset(api, 'hugo@example.com');
    const { token } = await mailing;
    const { rows } = await mailed.db.pool.query('select token_hash from account_tokens');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('password change', () => {
  it('needs the current password, applies registration\'s policy to the new one, ends the other sessions but the caller\'s, and then only the new one logs in', async () => {
    const cody = await api.register('cody');
    const otherDevice = (await login(api, 'cody', PASSWORD)).body.accessToken as string;
    const change = (currentPassword: string, newPassword: string) =>
      api.call('PUT', '/api/v1/auth/password', { token: cody.token, body: { currentPassword, newPassword } });

    const wrong = await change('not my password', NEW_PASSWORD);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('WRONG_PASSWORD');
    const short = await change(PASSWORD, 'short');
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'newPassword' }] });
    expect((await login(api, 'cody', PASSWORD)).status).toBe(200);

    const changed = await change(PASSWORD, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    // Two sessions besides the caller's: the other device's and the one the first check above logged in.
    expect(changed.body).toEqual({ userId: cody.userId, endedSessions: 2 });
    expect((await api.call('GET', '/api/v1/auth/me', { token: otherDevice })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/auth/me', { token: cody.token })).status).toBe(200);
    expect((await login(api, 'cody', PASSWORD)).status).toBe(401);
    expect((await login(api, 'cody', NEW_PASSWORD)).status).toBe(200);
  });
});

describe('hash cost', () => {
  it('upgrades a stored hash of N=2^15 to OWASP\'s N=2^17 at the next successful login, and not at a failed one', async () => {
    const olga = await api.register('olga');
    const stored = async () => (await mailed.db.pool.query<{ password_hash: string }>('select password_hash from credentials where user_id = $1', [olga.userId])).rows[0]!.password_hash;
    expect(await stored()).toMatch(/^scrypt\$131072\$8\$1\$/);

    await mailed.platform.commands.credentials.setPasswordHash(olga.userId, await hashPassword(PASSWORD, { N: 2 ** 15, r: 8, p: 1 }));
    expect((await login(api, 'olga', 'a wrong password')).status).toBe(401);
    expect(await stored()).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect((await login(api, 'olga', PASSWORD)).status).toBe(200);
    expect(await stored()).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect((await login(api, 'olga', PASSWORD)).status).toBe(200);
  });
});

describe('registration with a taken email', () => {
  // No timing: hashing is held, and the taken email's registration must be found hashing (as a
  // free one would) rather than answered; an EMAIL_TAKEN before any hash (review F15) answers at once.
  it('hashes before it answers EMAIL_TAKEN, as a free email costs a hash', async () => {
    await outboxApi.register('tess');
    const release = passwordHashingForTests.hold();
    let answered = false;
    const answer = outboxApi
      .call('POST', '/api/v1/users/register', { body: { username: 'tess2', email: 'tess@example.com', password: 'another password' } })
      .finally(() => (answered = true));
    try {
      while (!answered && passwordHashingForTests.load().running === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(answered).toBe(false);
    } finally {
      release();
    }
    expect((await answer).body.error.code).toBe('EMAIL_TAKEN');
  });
});

describe('the embedded default: the mail_outbox table and the log', () => {
  it('keeps each mail in the outbox and prints its link, which works', async () => {
    const oona = await outboxApi.register('oona');
    await outbox.platform.commands.accountLinks.settled();
    const { rows } = await outbox.db.pool.query<{ recipient: string; subject: string; body: string }>("select recipient, subject, body from mail_outbox where recipient = 'oona@example.com'");
    expect(rows).toEqual([expect.objectContaining({ recipient: 'oona@example.com', subject: 'Verify your email' })]);
    const token = tokenIn(rows[0]!.body);
    expect(outbox.mailLog.some((line) => line.includes('oona@example.com') && line.includes(token))).toBe(true);
    expect((await outboxApi.call('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(200);
    expect((await me(outboxApi, oona)).emailVerified).toBe(true);

    await askReset(outboxApi, 'oona@example.com');
    await outbox.platform.commands.accountLinks.settled();
    const reset = (await outbox.db.pool.query<{ body: string }>("select body from mail_outbox where subject = 'Reset your password'")).rows[0]!;
    expect((await confirmReset(outboxApi, tokenIn(reset.body))).status).toBe(200);
    expect((await login(outboxApi, 'oona', NEW_PASSWORD)).status).toBe(200);
  });

  it('puts every new route in the login class (per address, and per account where the body names one), and /auth/me in read', () => {
    const classOf = (method: string, url: string) => outbox.app.rateLimitClasses.find((route) => route.method === method && route.url === url)?.rateLimit;
    for (const [method, url] of [
      ['PUT', '/api/v1/auth/password'],
      ['POST', '/api/v1/auth/password-reset'],
      ['POST', '/api/v1/auth/password-reset/confirm'],
      ['POST', '/api/v1/auth/verify-email'],
      ['POST', '/api/v1/auth/verify-email/resend'],
    ] as const)
      expect(classOf(method, url), `${method} ${url}`).toBe('login');
    expect(classOf('GET', '/api/v1/auth/me')).toBe('read');
  });
});
