import { invalid } from '../../kernel/errors.js';
import type { CommandDeps } from '../deps.js';
import { hashingOf } from './password.js';

/** Asks for a reset link: the same for any email (AccountLinks.sendPasswordReset does the work after the answer). */
export const requestPasswordReset = (deps: CommandDeps, input: { email: string }): void => deps.accountLinks.sendPasswordReset(input.email);

/**
 * A new password through a reset link's token, which works once. Every session of the account
 * ends (a reset is what one does when someone else may be in). Following the link proves the
 * mailbox, so the email counts as verified too.
 */
export const confirmPasswordReset = async (deps: CommandDeps, input: { token: string; newPassword: string }): Promise<{ userId: string; endedSessions: number }> => {
  // Hashed before the token is used up: hashing refused (busy) leaves the link working for a retry.
  const passwordHash = await hashingOf(deps).hash(input.newPassword, deps.passwordParams);
  const userId = await deps.accountLinks.consume(input.token, 'password-reset');
  if (!userId) throw tokenInvalid();
  await deps.credentials.setPasswordHash(userId, passwordHash);
  await deps.credentials.markEmailVerified(userId);
  return { userId, endedSessions: (await deps.sessions.revokeAll(userId)).length };
};

export const tokenInvalid = () => invalid('ACCOUNT_TOKEN_INVALID', 'this link is unknown, used already or expired', [{ path: 'token', message: 'unknown, used or expired' }]);
