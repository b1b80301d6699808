import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addressGroup, loginKey } from '../../kernel/caller-keys.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { actorOf } from '../../kernel/actor.js';
import type { HashingCaller } from '../accounts/hashing-admission.js';
import { requestAccountDeletion, restoreAccount } from '../accounts/delete-account.js';
import { login } from '../accounts/login.js';
import { hashingAs, loginAttempt, SuspectHashingRefused } from '../accounts/password.js';
import { register } from '../accounts/register.js';
import { removeAvatar, setAvatar } from '../accounts/set-avatar.js';
import { updateProfile } from '../accounts/update-profile.js';
import type { CommandDeps } from '../deps.js';
import { clientOf, issuedSession, loginSession, SESSION_FIELDS } from './auth-routes.js';
import { twoFactorChallenge } from './two-factor-routes.js';
import { contextOf } from './request-context.js';
import { avatarBody, deleteAccountBody, loginBody, position, profileBody, registerBody, usernameParam } from './schemas.js';

// Login and registration hash a password as their caller's (commands/accounts/hashing-admission.ts):
// its address group, and for a login the account it names; registration names none, so only its
// address can make it a suspect.
export const callerOf = (request: FastifyRequest, login: string | null): HashingCaller => ({
  address: addressGroup(request.ip),
  login: login === null ? null : loginKey(login),
});

/** `deps` whose password hashes are admitted as `caller`'s (commands/accounts/password.ts hashingAs): what the routes that hash give their handler. */
export const withHashingAs = (deps: CommandDeps, caller: HashingCaller): CommandDeps => ({ ...deps, hashing: hashingAs(caller) });

/** `work`'s answer; a suspect refused by password hashing is told when to come back (Retry-After), as a rate limit's 429 is. */
export const withRetryAfter = async <T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SuspectHashingRefused) reply.header('retry-after', error.retryAfterSeconds);
    throw error;
  }
};

export const accountRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/users/register', {
    config: {
      public: true,
      rateLimit: 'register',
      // An Idempotency-Key's row keeps neither the password nor the tokens: a replay of a success
      // checks the repeat's password as a login does and starts a fresh session.
      idempotency: {
        secretRequestFields: ['password'],
        secretAnswerFields: SESSION_FIELDS,
        recompute: async (request) => {
          const body = request.body as { username: string; password: string };
          const loggedIn = await login(withHashingAs(deps, callerOf(request, null)), { login: body.username, password: body.password }, clientOf(request));
          // An account that turned 2FA on since it registered gets no session from a replay: it logs in in two steps.
          if ('twoFactorRequired' in loggedIn) throw new AppError('TWO_FACTOR_REQUIRED', 'this account logs in in two steps: POST /api/v1/users/login');
          const { accessToken, accessTokenExpiresAt, refreshToken, sessionId } = loggedIn;
          return { accessToken, accessTokenExpiresAt, refreshToken, sessionId };
        },
      },
    },
    schema: {
      body: registerBody,
      response: { 201: issuedSession.extend({ position }) },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await withRetryAfter(reply, () => register(withHashingAs(deps, callerOf(request, null)), request.body, contextOf(request), clientOf(request)))),
  });

  app.post('/users/login', {
    config: { public: true, idempotency: false, rateLimit: 'login', errors: ['INVALID_CREDENTIALS'] },
    schema: {
      description:
        'Starts a session; for an account with two-factor authentication on, answers a challenge instead, for POST /auth/login/2fa. `deletion` is null, or, for an account in its deletion grace period, when it will be erased (POST /users/{username}/restore keeps it).',
      body: loginBody,
      response: { 200: z.union([loginSession, twoFactorChallenge]) },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const name = 'username' in body ? body.username : body.email;
      return withRetryAfter(reply, () => loginAttempt(callerOf(request, name), (hashing) => login({ ...deps, hashing }, { login: name, password: body.password }, clientOf(request))));
    },
  });

  app.put('/users/:username', {
    schema: { params: usernameParam, body: profileBody, response: { 200: z.object({ userId: z.string(), position }) } },
    handler: async (request) => {
      const userId = actorOf(request);
      if (request.actor?.username !== request.params.username) throw forbidden('NOT_OWNER', 'you can only edit your own profile');
      return { userId, ...(await updateProfile(deps, { userId, ...request.body }, contextOf(request))) };
    },
  });

  // The avatar: an upload of one's own (purpose avatar, processed), or none.
  app.put('/users/:username/avatar', {
    schema: { params: usernameParam, body: avatarBody, response: { 200: z.object({ userId: z.string(), avatar: z.string(), position }) } },
    handler: async (request) => {
      const userId = actorOf(request);
      if (request.actor?.username !== request.params.username) throw forbidden('NOT_OWNER', 'you can only change your own avatar');
      return setAvatar(deps, { userId, mediaId: request.body.mediaId }, contextOf(request));
    },
  });

  app.delete('/users/:username/avatar', {
    schema: { params: usernameParam, response: { 200: z.object({ userId: z.string(), position }) } },
    handler: async (request) => {
      const userId = actorOf(request);
      if (request.actor?.username !== request.params.username) throw forbidden('NOT_OWNER', 'you can only change your own avatar');
      return removeAvatar(deps, { userId }, contextOf(request));
    },
  });

  // Deleting one's account (commands/accounts/delete-account.ts): confirmed by the password, and a
  // code when two-factor authentication is on, as disabling 2FA is; the password is hashed as the
  // caller's (commands/accounts/hashing-admission.ts). A DELETE takes no Idempotency-Key (app/http/
  // idempotency.ts): a repeat during the grace changes nothing and keeps the first deadline.
  app.delete('/users/:username', {
    config: { rateLimit: 'delete', errors: ['WRONG_PASSWORD', 'TWO_FACTOR_CODE_INVALID'] },
    schema: {
      description:
        'Schedules the deletion of the caller\'s own account: it is hidden from everyone else at once, and erased (everything it made ended, its personal data destroyed, its username released) once the grace period (ACCOUNT_DELETION_GRACE) is over, unless restored before (POST /users/{username}/restore). Every session ends; logging in again is allowed, to restore it. `code` (TOTP or recovery) is required when two-factor authentication is on.',
      params: usernameParam,
      body: deleteAccountBody,
      response: { 202: z.object({ userId: z.string(), username: z.string(), status: z.literal('deleting'), eraseAfter: z.string(), position }) },
    },
    handler: async (request, reply) => {
      const actorId = actorOf(request);
      const input = { actorId, username: request.params.username, ...request.body };
      const deleting = await withRetryAfter(reply, () => requestAccountDeletion(withHashingAs(deps, callerOf(request, request.actor!.username)), input, contextOf(request)));
      return reply.code(202).send(deleting);
    },
  });

  // A restore is a no-op when repeated (the account is active): no Idempotency-Key row, as for a delete.
  app.post('/users/:username/restore', {
    config: { rateLimit: 'write', idempotency: false, errors: ['ACCOUNT_ERASURE_STARTED'] },
    schema: {
      description:
        'Ends the deletion grace period of the caller\'s own account: it shows again as before. Refused once the grace period is over (ACCOUNT_ERASURE_STARTED); for an active account, a no-op. Another hidden account is unknown (USER_NOT_FOUND).',
      params: usernameParam,
      response: { 200: z.object({ userId: z.string(), username: z.string(), status: z.literal('active'), position }) },
    },
    handler: async (request) => restoreAccount(deps, { actorId: actorOf(request), username: request.params.username }, contextOf(request)),
  });
};
