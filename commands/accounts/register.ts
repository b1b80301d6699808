import { AppError, conflict } from '../../kernel/errors.js';
import { userDecider } from '../../domain/user/user.js';
import { parseUsername, usernameDecider } from '../../domain/username/username.js';
import { streams, type Position } from '../../events/index.js';
import { newId, type CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';
import type { Credentials } from './credentials-store.js';
import type { LoginClient } from './login.js';
import { hashingOf, needsRehash } from './password.js';
import type { IssuedSession } from './sessions.js';

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  displayName?: string;
}

export interface Registered extends IssuedSession {
  position: Position;
}

/** The account, registered or completed: a session is started for it then (register). */
interface Account {
  userId: string;
  username: string;
  position: Position;
}

/**
 * Registration spans three places: the credentials table (email and username uniqueness, the
 * password hash), the username reservation stream and the user stream, written in that order and
 * resumable (docs/architecture.md "Registration"): when a registration stopped after the
 * credentials or the reservation (a failed append, a crash), the same registration again (the same
 * username, email and password) finds its credentials and completes under the same user id; any
 * other is refused with USERNAME_TAKEN or EMAIL_TAKEN. A registration that is complete already is
 * answered again the same way (it is its own retry after a lost reply); login refuses credentials
 * whose registration never completed (login.ts).
 */
export const register = async (deps: CommandDeps, input: RegisterInput, ctx: CommandContext, client: LoginClient): Promise<Registered> => {
  const { userId, username, position } = await registerAccount(deps, input, ctx);
  return { ...(await deps.sessions.start({ userId, username, ...client })), position };
};

const registerAccount = async (deps: CommandDeps, input: RegisterInput, ctx: CommandContext): Promise<Account> => {
  // Checked before anything is written, so a refused name leaves no credentials behind.
  const username = parseUsername(input.username);
  const displayName = input.displayName ?? username;
  const earlier = await deps.credentials.findByLogin(input.email);
  if (earlier) return resume(deps, earlier, input, { username, displayName }, ctx);

  const userId = newId();
  const passwordHash = await hashingOf(deps).hash(input.password, deps.passwordParams);
  const stored = await deps.credentials.insert({ userId, username, email: input.email, passwordHash });
  if (stored !== 'ok') {
    // Another registration of this email or username got there first: resumed if it is this one.
    const holder = await deps.credentials.findByLogin(stored === 'email_taken' ? input.email : username);
    if (holder) return resume(deps, holder, input, { username, displayName }, ctx);
    throw stored === 'email_taken' ? emailTaken() : usernameTaken(username);
  }
  return complete(deps, { userId, username, email: input.email, displayName, resumed: false }, ctx);
};

/** Credentials stored already for this email or username: the same registration completes, any other is refused. */
const resume = async (
  deps: CommandDeps,
  earlier: Credentials,
  input: RegisterInput,
  { username, displayName }: { username: string; displayName: string },
  ctx: CommandContext,
): Promise<Account> => {
  const sameEmail = earlier.email === input.email.toLowerCase();
  if (!sameEmail) throw usernameTaken(username);
  // A taken email costs a hash at today's parameters, as a free one does (security review F15: the
  // answer's time must not tell that the address has an account): the check against the stored
  // hash, and a decoy check at today's cost besides when that hash is of older, cheaper
  // parameters (a quarter more then, for N=2^15, rather than four times less).
  // Checked whatever the username, so that another username does not skip the hash.
  if (needsRehash(earlier.passwordHash, deps.passwordParams)) await hashingOf(deps).verify(input.password, await hashingOf(deps).decoy(deps.passwordParams));
  const samePassword = await hashingOf(deps).verify(input.password, earlier.passwordHash);
  if (earlier.username !== username || !samePassword) throw emailTaken();
  return complete(deps, { userId: earlier.userId, username, email: earlier.email, displayName, resumed: true }, ctx);
};

/** The reservation and the user stream, each appended unless it is there already; then the verification mail. */
const complete = async (
  deps: CommandDeps,
  { userId, username, email, displayName, resumed }: { userId: string; username: string; email: string; displayName: string; resumed: boolean },
  ctx: CommandContext,
): Promise<Account> => {
  // Re-reserving for the same user changes nothing; a name another holds is USERNAME_TAKEN.
  await handleCommand({
    store: deps.store,
    stream: streams.username(username),
    decider: usernameDecider,
    command: () => ({ type: 'ReserveUsername', username, userId }),
    ctx,
  });
  const position = await registerUserOnce(deps, { userId, username, displayName, resumed }, ctx);
  // After the answer (account-links.ts); a registration answered again mails a new link, which replaces the first.
  deps.accountLinks.sendVerification({ userId, email });
  return { userId, username, position };
};

/** Appends UserRegistered unless the user stream has it (a resumed registration whose append had landed). */
const registerUserOnce = async (
  deps: CommandDeps,
  { userId, username, displayName, resumed }: { userId: string; username: string; displayName: string; resumed: boolean },
  ctx: CommandContext,
): Promise<Position> => {
  try {
    const registered = await handleCommand({
      store: deps.store,
      stream: streams.user(userId),
      decider: userDecider,
      command: () => ({ type: 'RegisterUser', userId, username, displayName }),
      // The new account is the actor of its own registration.
      ctx: { ...ctx, actorId: userId },
      // A fresh id has no stream yet; a resumed one may.
      newStream: !resumed,
    });
    return registered.position;
  } catch (error) {
    // Registered meanwhile by the same registration running twice: done.
    if (error instanceof AppError && error.code === 'USER_EXISTS') return deps.store.headPosition();
    throw error;
  }
};

const emailTaken = () => conflict('EMAIL_TAKEN', 'an account with this email already exists');
const usernameTaken = (username: string) => conflict('USERNAME_TAKEN', `username ${username} is taken`);
