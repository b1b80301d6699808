import { AppError, forbidden } from '../../kernel/errors.js';
import type { CommandDeps } from '../deps.js';
import { hashingOf } from './password.js';

/**
 * A new password for the caller's own account, given the current one (registration's policy: the
 * route schema). Every other session of the account ends (whoever knew the old password is logged
 * out); the one asking stays. The number of sessions ended.
 */
export const changePassword = async (
  deps: CommandDeps,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string },
): Promise<{ endedSessions: number }> => {
  const credentials = await deps.credentials.findById(input.userId);
  // A token naming no credentials (a registration that stopped half-way) has no password to change.
  if (!credentials) throw new AppError('UNAUTHORIZED', 'this token names no account');
  if (!(await hashingOf(deps).verify(input.currentPassword, credentials.passwordHash))) throw forbidden('WRONG_PASSWORD', 'the current password is wrong');
  await deps.credentials.setPasswordHash(input.userId, await hashingOf(deps).hash(input.newPassword, deps.passwordParams));
  return { endedSessions: (await deps.sessions.revokeAll(input.userId, { except: input.sessionId })).length };
};
