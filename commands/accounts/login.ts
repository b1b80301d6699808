import type { CommandDeps } from '../deps.js';
import { loadUser } from '../facts.js';
import { AppError } from '../../kernel/errors.js';
import { hashPassword, verifyPassword } from './password.js';
import type { IssuedSession } from './sessions.js';

// An unknown login is checked against this hash all the same, so that it takes as long as a wrong
// password and response times do not tell which accounts exist.
const decoy = hashPassword('decoy password, never a real one');

/** Where a login comes from: what the sessions list shows (commands/accounts/sessions.ts). */
export interface LoginClient {
  userAgent: string | undefined;
  address: string;
}

/** The same answer for an unknown login and a wrong password, so accounts cannot be probed. */
export const login = async (deps: CommandDeps, input: { login: string; password: string }, client: LoginClient): Promise<IssuedSession> => {
  const credentials = await deps.credentials.findByLogin(input.login);
  const valid = await verifyPassword(input.password, credentials?.passwordHash ?? (await decoy));
  if (!credentials || !valid) throw new AppError('INVALID_CREDENTIALS', 'unknown login or wrong password');
  const { userId, username } = credentials;
  // Credentials whose registration stopped half-way (register.ts) hold no account: no token for a
  // user that does not exist, answered as an unknown login; registering again completes it.
  if ((await loadUser(deps.store, userId)).status !== 'active') throw new AppError('INVALID_CREDENTIALS', 'unknown login or wrong password');
  return deps.sessions.start({ userId, username, ...client });
};
