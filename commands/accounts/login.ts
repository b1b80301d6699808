import type { CommandDeps } from '../deps.js';
import { AuthenticationError } from '../errors.js';
import { verifyPassword } from './password.js';

export interface LoggedIn {
  token: string;
  userId: string;
  username: string;
}

/** The same answer for an unknown login and a wrong password, so accounts cannot be probed. */
export const login = async (deps: CommandDeps, input: { login: string; password: string }): Promise<LoggedIn> => {
  const credentials = await deps.credentials.findByLogin(input.login);
  const valid = credentials ? await verifyPassword(input.password, credentials.passwordHash) : false;
  if (!credentials || !valid) throw new AuthenticationError('INVALID_CREDENTIALS', 'unknown login or wrong password');
  const { userId, username } = credentials;
  return { token: await deps.tokens.issue({ userId, username }), userId, username };
};
