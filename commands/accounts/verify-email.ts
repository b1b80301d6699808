import { AppError } from '../../kernel/errors.js';
import type { CommandDeps } from '../deps.js';
import { tokenInvalid } from './reset-password.js';

/** Marks the email of a verification link's account verified; the link works once. */
export const verifyEmail = async (deps: CommandDeps, input: { token: string }): Promise<{ userId: string }> => {
  const userId = await deps.accountLinks.consume(input.token, 'email-verification');
  if (!userId) throw tokenInvalid();
  await deps.credentials.markEmailVerified(userId);
  return { userId };
};

/** Mails a new verification link unless the email is verified already (the earlier links stop working). */
export const resendVerification = async (deps: CommandDeps, input: { userId: string }): Promise<{ emailVerified: boolean }> => {
  const credentials = await deps.credentials.findById(input.userId);
  if (!credentials) throw new AppError('UNAUTHORIZED', 'this token names no account');
  if (!credentials.emailVerified) deps.accountLinks.sendVerification(credentials);
  return { emailVerified: credentials.emailVerified };
};

/**
 * The caller's own account as only they see it: the email, whether it is verified, and whether
 * two-factor authentication is on (a settings screen shows enroll or disable by it; a secret
 * enrolled but not confirmed yet is not on).
 */
export const ownAccount = async (deps: CommandDeps, input: { userId: string }) => {
  const [credentials, twoFactor] = await Promise.all([deps.credentials.findById(input.userId), deps.twoFactor.store.find(input.userId)]);
  if (!credentials) throw new AppError('UNAUTHORIZED', 'this token names no account');
  const { userId, username, email, emailVerified } = credentials;
  return { userId, username, email, emailVerified, twoFactorEnabled: Boolean(twoFactor?.enabledAt) };
};
