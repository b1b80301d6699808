import { conflict } from '../../kernel/errors.js';
import { userDecider } from '../../domain/user/user.js';
import { normalizeUsername, usernameDecider } from '../../domain/username/username.js';
import { streams, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';
import { hashPassword } from './password.js';

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  displayName?: string;
}

export interface Registered {
  userId: string;
  username: string;
  token: string;
  position: Position;
}

/**
 * Registration spans three places: the username reservation stream (uniqueness), the credentials
 * table (email uniqueness, password hash) and the user stream. The order makes every failure
 * leave nothing a later registration trips over: an email race releases the reservation again.
 */
export const register = async (deps: CommandDeps, input: RegisterInput, ctx: CommandContext): Promise<Registered> => {
  const username = normalizeUsername(input.username);
  if (await deps.credentials.emailTaken(input.email)) throw emailTaken();

  const userId = newId();
  const passwordHash = await hashPassword(input.password);
  const reservation = streams.username(username);
  await handleCommand(deps.store, reservation, usernameDecider, () => ({ type: 'ReserveUsername', username, userId }), ctx);

  const stored = await deps.credentials.insert({ userId, username, email: input.email, passwordHash });
  if (stored !== 'ok') {
    await handleCommand(deps.store, reservation, usernameDecider, () => ({ type: 'ReleaseUsername', username, userId }), ctx);
    throw stored === 'email_taken' ? emailTaken() : conflict('USERNAME_TAKEN', `username ${username} is taken`);
  }

  const displayName = input.displayName ?? username;
  const registered = await handleCommand(
    deps.store,
    streams.user(userId),
    userDecider,
    () => ({ type: 'RegisterUser', userId, username, displayName, now: ctx.now }),
    { ...ctx, actorId: userId },
    { newStream: true },
  );
  const token = await deps.tokens.issue({ userId, username });
  return { userId, username, token, position: registered.position };
};

const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with this email already exists');
