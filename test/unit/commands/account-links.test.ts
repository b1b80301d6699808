import { describe, expect, it } from 'vitest';
import { createAccountLinks, MAIL_BACKLOG } from '../../../commands/accounts/account-links.js';
import type { AccountTokenStore } from '../../../commands/accounts/account-tokens.js';
import type { CredentialsStore, StoredCredentials } from '../../../commands/accounts/credentials-store.js';
import type { Mail } from '../../../commands/accounts/mail/mailer.js';

// The mailed links' background work (commands/accounts/account-links.ts): nothing of it runs
// within the caller's turn, a failure is reported and never thrown at the caller, and the backlog
// is bounded. (End to end, through SMTP and the outbox: test/e2e/passwords.test.ts.)

const kim: StoredCredentials = { userId: '0190a0a0-0000-7000-8000-000000000001', username: 'kim', email: 'kim@example.com', passwordHash: 'x', emailVerified: false };

const setup = (mailer: { send(mail: Mail): Promise<void> } = { send: async () => undefined }) => {
  const lookups: string[] = [];
  const issued: string[] = [];
  const errors: string[] = [];
  const credentials = { findByLogin: async (login: string) => (lookups.push(login), login === kim.email ? kim : null) } as unknown as CredentialsStore;
  const tokens: AccountTokenStore = { issue: async ({ tokenHash }) => void issued.push(tokenHash), consume: async () => null };
  const links = createAccountLinks({
    credentials,
    tokens,
    mailer: { ...mailer, close: async () => undefined },
    settings: { resetTtlMs: 30 * 60_000, verificationTtlMs: 48 * 3_600_000, publicUrl: 'https://app.example.com' },
    onError: (what, error) => errors.push(`${what}: ${(error as Error).message}`),
  });
  return { links, lookups, issued, errors };
};

describe('mailed links', () => {
  it('does nothing of a reset request within the caller\'s turn, and mails only an email that has an account', async () => {
    const sent: Mail[] = [];
    const { links, lookups, issued } = setup({ send: async (mail) => void sent.push(mail) });
    links.sendPasswordReset('kim@example.com');
    links.sendPasswordReset('nobody@example.com');
    links.sendPasswordReset('kim');
    expect(lookups).toEqual([]);
    await links.settled();
    // "kim" is no email: not looked up at all (it would match the username).
    expect(lookups).toEqual(['kim@example.com', 'nobody@example.com']);
    expect(issued).toHaveLength(1);
    expect(sent.map((mail) => [mail.to, mail.subject])).toEqual([['kim@example.com', 'Reset your password']]);
    expect(sent[0]!.text).toMatch(/https:\/\/app\.example\.com\/reset-password#token=[A-Za-z0-9_-]{43}\n/);
    expect(sent[0]!.text).toContain('for 30 minutes');
  });

  it('reports a mail that fails, never throwing at the caller', async () => {
    const { links, errors } = setup({ send: async () => Promise.reject(new Error('connection refused')) });
    expect(() => links.sendVerification(kim)).not.toThrow();
    await links.settled();
    expect(errors).toEqual(['verification mail: connection refused']);
  });

  it(`keeps at most ${MAIL_BACKLOG} mails pending, dropping (and reporting) the rest`, async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { links, errors } = setup({ send: () => held });
    for (let i = 0; i < MAIL_BACKLOG + 2; i++) links.sendVerification(kim);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/dropped/);
    release();
    await links.settled();
    expect(errors).toHaveLength(2);
  });
});
