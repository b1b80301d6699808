import { conflict } from '../../kernel/errors.js';
import { userDecider } from '../../domain/user/user.js';
import { normalizeUsername, usernameDecider, type UsernameCommand } from '../../domain/username/username.js';
import { streams, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';
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
  // Hashed before the email is looked up: a taken email costs the same hash as a free one, so the
  // answer's time does not tell that the address has an account (security review F15).
  const passwordHash = await hashPassword(input.password, deps.passwordParams);
  if (await deps.credentials.emailTaken(input.email)) throw emailTaken();

  const userId = newId();
  const reservation = streams.username(username);
  const onReservation = (command: BuildCommand<UsernameCommand>) =>
    handleCommand({ store: deps.store, stream: reservation, decider: usernameDecider, command, ctx });
  await onReservation(() => ({ type: 'ReserveUsername', username, userId }));

  const stored = await deps.credentials.insert({ userId, username, email: input.email, passwordHash });
  if (stored !== 'ok') {
    await onReservation(() => ({ type: 'ReleaseUsername', username, userId }));
    throw stored === 'email_taken' ? emailTaken() : conflict('USERNAME_TAKEN', `username ${username} is taken`);
  }

  const displayName = input.displayName ?? username;
  const registered = await handleCommand({
    store: deps.store,
    stream: streams.user(userId),
    decider: userDecider,
    command: () => ({ type: 'RegisterUser', userId, username, displayName }),
    // The new account is the actor of its own registration.
    ctx: { ...ctx, actorId: userId },
    newStream: true,
  });
  deps.accountLinks.sendVerification({ userId, email: input.email });
  const token = await deps.tokens.issue({ userId, username });
  return { userId, username, token, position: registered.position };
};

const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with this email already exists');
