import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { EMAIL_MAX_LENGTH } from '../../kernel/limits.js';
import { changePassword } from '../accounts/change-password.js';
import { accountDeletionOf } from '../accounts/delete-account.js';
import { confirmPasswordReset, requestPasswordReset } from '../accounts/reset-password.js';
import { ownAccount, resendVerification, verifyEmail } from '../accounts/verify-email.js';
import type { CommandDeps } from '../deps.js';
import { callerOf, withHashingAs, withRetryAfter } from './account-routes.js';
import { accountDeletion, registerBody } from './schemas.js';

// Passwords and the mailed links (docs/architecture.md "Passwords and mailed links"). Every route
// that takes a password or a link's token is in the login class (per address, and per account
// where the body names one: a reset's email), and keeps no Idempotency-Key row: its body is secret
// and the answer carries nothing a retry needs. Those that hash a password do it as their caller's
// (commands/accounts/hashing-admission.ts), as login does.

// Registration's policy for every new password (kernel/limits.ts PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH).
const newPassword = registerBody.shape.password;
// A link's token: 43 base64url characters as issued (commands/accounts/account-tokens.ts); anything else of sane size is refused as unknown.
const linkToken = z.string().min(1).max(256);

const changeBody = z.strictObject({ currentPassword: z.string().min(1).max(newPassword.maxLength ?? 1024), newPassword });
const resetBody = z.strictObject({ email: z.string().min(1).max(EMAIL_MAX_LENGTH) });
const confirmBody = z.strictObject({ token: linkToken, newPassword });
const verifyBody = z.strictObject({ token: linkToken });

// A password set: whose, and how many sessions it ended (a change keeps the caller's, a reset none).
const passwordSet = z.object({ userId: z.string(), endedSessions: z.number().int() });

// The one answer of a reset request, whatever the email.
const RESET_ACCEPTED = { status: 'accepted', message: 'if an account has this email, a reset link is on its way' } as const;
const resetAccepted = z.object({ status: z.literal('accepted'), message: z.string() });

export const passwordRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.put('/auth/password', {
    config: { rateLimit: 'login', errors: ['WRONG_PASSWORD'] },
    schema: { body: changeBody, response: { 200: passwordSet } },
    handler: async (request, reply) => {
      const userId = actorOf(request);
      const { sessionId, username } = request.actor!;
      const changed = await withRetryAfter(reply, () => changePassword(withHashingAs(deps, callerOf(request, username)), { userId, sessionId, ...request.body }));
      return { userId, ...changed };
    },
  });

  app.post('/auth/password-reset', {
    config: { public: true, idempotency: false, rateLimit: 'login' },
    schema: { body: resetBody, response: { 202: resetAccepted } },
    handler: async (request, reply) => {
      requestPasswordReset(deps, request.body);
      return reply.code(202).send(RESET_ACCEPTED);
    },
  });

  app.post('/auth/password-reset/confirm', {
    config: { public: true, idempotency: false, rateLimit: 'login', errors: ['ACCOUNT_TOKEN_INVALID'] },
    schema: { body: confirmBody, response: { 200: passwordSet } },
    handler: async (request, reply) => withRetryAfter(reply, () => confirmPasswordReset(withHashingAs(deps, callerOf(request, null)), request.body)),
  });

  app.post('/auth/verify-email', {
    config: { public: true, idempotency: false, rateLimit: 'login', errors: ['ACCOUNT_TOKEN_INVALID'] },
    schema: { body: verifyBody, response: { 200: z.object({ userId: z.string(), emailVerified: z.literal(true) }) } },
    handler: async (request) => ({ ...(await verifyEmail(deps, request.body)), emailVerified: true as const }),
  });

  // Sends mail: in the login class too, so that an account cannot mail-bomb its own address.
  app.post('/auth/verify-email/resend', {
    config: { idempotency: false, rateLimit: 'login' },
    schema: { response: { 202: z.object({ emailVerified: z.boolean() }) } },
    handler: async (request, reply) => reply.code(202).send(await resendVerification(deps, { userId: actorOf(request) })),
  });

  // The caller's own account: what only they may see (the email, whether it is verified, whether 2FA is on).
  app.get('/auth/me', {
    schema: {
      description: "The caller's own account; `twoFactorEnabled` once a code confirmed the enrolled secret; `deletion` is null, or, in its deletion grace period, when it will be erased.",
      response: { 200: z.object({ userId: z.string(), username: z.string(), email: z.string(), emailVerified: z.boolean(), twoFactorEnabled: z.boolean(), deletion: accountDeletion }) },
    },
    handler: async (request) => {
      const userId = actorOf(request);
      return { ...(await ownAccount(deps, { userId })), deletion: await accountDeletionOf(deps.store, userId) };
    },
  });
};
