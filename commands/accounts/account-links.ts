import type { CredentialsStore } from './credentials-store.js';
import { hashAccountToken, newAccountToken, type AccountTokenPurpose, type AccountTokenStore } from './account-tokens.js';
import type { Mail, Mailer } from './mail/mailer.js';

/** How long a mailed link works: PASSWORD_RESET_TTL, EMAIL_VERIFICATION_TTL. */
export interface AccountLinkSettings {
  resetTtlMs: number;
  verificationTtlMs: number;
  /** Where clients reach the service (PUBLIC_URL): the base of the links. */
  publicUrl: string;
}

/** The links mailed to an account, and their single use. */
export interface AccountLinks {
  /**
   * Mails a reset link if an account has this email, after the caller has its answer: returns at
   * once and does nothing else in the request, so that neither the answer nor its time says
   * whether the email has an account.
   */
  sendPasswordReset(email: string): void;
  /** Mails a verification link to the account's email, after the caller has its answer. */
  sendVerification(account: { userId: string; email: string }): void;
  /** The user id of an unused, unexpired link token of this purpose, now used; null otherwise. */
  consume(token: string, purpose: AccountTokenPurpose): Promise<string | null>;
  /** Resolves when every mail accepted so far was sent or failed (shutdown, tests). */
  settled(): Promise<void>;
}

// Mails being prepared or sent at once in this process; past it a new one is dropped (logged),
// so that a flood of reset requests cannot grow memory without bound. The answer stays the same.
export const MAIL_BACKLOG = 1_000;

export const createAccountLinks = (
  { credentials, tokens, mailer, settings, onError }: {
    credentials: CredentialsStore;
    tokens: AccountTokenStore;
    mailer: Mailer;
    settings: AccountLinkSettings;
    onError: (what: string, error: unknown) => void;
  },
): AccountLinks => {
  const pending = new Set<Promise<void>>();
  const later = (what: string, work: () => Promise<void>) => {
    if (pending.size >= MAIL_BACKLOG) return onError(what, new Error(`over ${MAIL_BACKLOG} mails pending; dropped`));
    // setImmediate: not even the first query runs within the request.
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => onError(what, error))
      .finally(() => pending.delete(run));
    pending.add(run);
  };

  const linkMail = async (userId: string, to: string, purpose: AccountTokenPurpose): Promise<Mail> => {
    const token = newAccountToken();
    const ttlMs = purpose === 'password-reset' ? settings.resetTtlMs : settings.verificationTtlMs;
    await tokens.issue({ tokenHash: hashAccountToken(token), userId, purpose, ttlMs });
    const minutes = Math.round(ttlMs / 60_000);
    // The token after "#": a web page reading it keeps it out of its server's access logs.
    return purpose === 'password-reset'
      ? {
          to,
          subject: 'Reset your password',
          text: `Someone asked to reset the password of your account. If it was you, open\n${settings.publicUrl}/reset-password#token=${token}\nor POST /api/v1/auth/password-reset/confirm with token: ${token}\nIt works once, for ${minutes} minutes. If it was not you, ignore this mail.\n`,
        }
      : {
          to,
          subject: 'Verify your email',
          text: `Confirm that this is your email by opening\n${settings.publicUrl}/verify-email#token=${token}\nor POST /api/v1/auth/verify-email with token: ${token}\nIt works once, for ${minutes} minutes.\n`,
        };
  };

  return {
    sendPasswordReset(email) {
      later('password reset mail', async () => {
        // An email holds "@", which no username does: this finds the account of that email only.
        const account = email.includes('@') ? await credentials.findByLogin(email) : null;
        if (account) await mailer.send(await linkMail(account.userId, account.email, 'password-reset'));
      });
    },
    sendVerification({ userId, email }) {
      later('verification mail', async () => mailer.send(await linkMail(userId, email, 'email-verification')));
    },
    consume: (token, purpose) => tokens.consume(hashAccountToken(token), purpose),
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
};
