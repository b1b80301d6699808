import type { CommandDeps } from '../deps.js';
import { loadUser } from '../facts.js';
import { AppError } from '../../kernel/errors.js';
import { hashingOf, needsRehash } from './password.js';
import type { AccountDeletion } from './delete-account.js';
import type { IssuedSession } from './sessions.js';
import { twoFactorChallengeFor, type TwoFactorChallenge } from './two-factor.js';

/** Where a login comes from: what the sessions list shows (commands/accounts/sessions.ts). */
export interface LoginClient {
  userAgent: string | undefined;
  address: string;
}

/** A session started by a login: with, for an account in its deletion grace period, when it will be erased. */
export type LoggedIn = IssuedSession & { deletion: AccountDeletion | null };

/**
 * The deletion of an account that may log in: null while active, its deadline while in its
 * deletion grace period (its owner may log in to restore it); undefined for no account (an erased
 * one, or a registration that stopped half-way: register.ts), which is refused as an unknown login.
 */
export const loginDeletionOf = async (deps: CommandDeps, userId: string): Promise<AccountDeletion | null | undefined> => {
  const user = await loadUser(deps.store, userId);
  if (user.status === 'active') return null;
  if (user.status === 'deleting') return { eraseAfter: user.eraseAfter };
  return undefined;
};

/**
 * The same answer for an unknown login and a wrong password, so accounts cannot be probed. An
 * account with two-factor authentication on gets a challenge instead of a session: its second
 * step is POST /auth/login/2fa (commands/accounts/two-factor.ts completeTwoFactorLogin).
 */
export const login = async (deps: CommandDeps, input: { login: string; password: string }, client: LoginClient): Promise<LoggedIn | TwoFactorChallenge> => {
  const credentials = await deps.credentials.findByLogin(input.login);
  // An unknown login is checked against a decoy hash all the same, so that it takes as long as a
  // wrong password and response times do not tell which accounts exist.
  const valid = await hashingOf(deps).verify(input.password, credentials?.passwordHash ?? (await hashingOf(deps).decoy(deps.passwordParams)));
  if (!credentials || !valid) throw new AppError('INVALID_CREDENTIALS', 'unknown login or wrong password');
  const { userId, username } = credentials;
  // Credentials whose registration stopped half-way (register.ts), or of an erased account, hold no
  // account: no token for a user that does not exist, answered as an unknown login; registering
  // again completes a half-way one. An account in its deletion grace period logs in (to restore it).
  const deletion = await loginDeletionOf(deps, userId);
  if (deletion === undefined) throw new AppError('INVALID_CREDENTIALS', 'unknown login or wrong password');
  await upgradeHash(deps, userId, credentials.passwordHash, input.password);
  return (await twoFactorChallengeFor(deps, userId)) ?? { ...(await deps.sessions.start({ userId, username, ...client })), deletion };
};

/**
 * A hash of older parameters is replaced by one of today's, the password being at hand only now.
 * Best effort: hashing refused (busy) leaves the old hash, upgraded at a later login.
 */
const upgradeHash = async (deps: CommandDeps, userId: string, stored: string, password: string) => {
  if (!needsRehash(stored, deps.passwordParams)) return;
  try {
    await deps.credentials.setPasswordHash(userId, await hashingOf(deps).hash(password, deps.passwordParams));
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'BACKEND_UNAVAILABLE')) throw error;
  }
};
