import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { PASSWORD_MAX_LENGTH } from '../../kernel/limits.js';
import { loginAttempt } from '../accounts/password.js';
import { completeTwoFactorLogin, confirmTwoFactor, disableTwoFactor, enrollTwoFactor } from '../accounts/two-factor.js';
import type { CommandDeps } from '../deps.js';
import { callerOf, withHashingAs, withRetryAfter } from './account-routes.js';
import { clientOf, loginSession } from './auth-routes.js';

// Two-factor authentication (commands/accounts/two-factor.ts). Every route takes a password or a
// code: all are in the login class and keep no Idempotency-Key row (their bodies are secret, and
// their answers are shown once: a secret, recovery codes, a session). Those that check a password
// hash it as their caller's (commands/accounts/hashing-admission.ts), as login does.

// Any password registration accepts (kernel/limits.ts PASSWORD_MAX_LENGTH), bounded so that junk is a 400, not a hash of megabytes.
const password = z.string().min(1).max(PASSWORD_MAX_LENGTH);
// Six digits of TOTP, or a recovery code ("abcd-efgh-ijkl-mnop", typed with or without dashes).
const code = z.string().min(1).max(32);
// A challenge as issued: 43 base64url characters; anything else of sane size is refused as unknown.
const challenge = z.string().min(1).max(256);

/** What login answers an account with 2FA on (commands/accounts/two-factor.ts TwoFactorChallenge). */
export const twoFactorChallenge = z.object({ twoFactorRequired: z.literal(true), challenge: z.string(), expiresAt: z.string() });

const enrollBody = z.strictObject({ password });
const confirmBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'six digits') });
const disableBody = z.strictObject({ password, code });
const loginBody = z.strictObject({ challenge, code });

export const twoFactorRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/auth/2fa/enroll', {
    config: { idempotency: false, rateLimit: 'login', errors: ['WRONG_PASSWORD', 'TWO_FACTOR_ENABLED'] },
    schema: {
      description:
        'A new TOTP secret (base32) and its otpauth:// URI, for an authenticator app. Not asked for at login until POST /auth/2fa/confirm; enrolling again before confirming replaces it.',
      body: enrollBody,
      response: { 201: z.object({ secret: z.string(), otpauthUri: z.string() }) },
    },
    handler: async (request, reply) => {
      const userId = actorOf(request);
      const enrolled = await withRetryAfter(reply, () => enrollTwoFactor(withHashingAs(deps, callerOf(request, request.actor!.username)), { userId, ...request.body }));
      return reply.code(201).send(enrolled);
    },
  });

  app.post('/auth/2fa/confirm', {
    config: { idempotency: false, rateLimit: 'login', errors: ['TWO_FACTOR_CODE_INVALID', 'TWO_FACTOR_NOT_ENROLLED', 'TWO_FACTOR_ENABLED'] },
    schema: {
      description: 'Turns two-factor authentication on with a current code of the enrolled secret. The answer holds ten single-use recovery codes, shown this once.',
      body: confirmBody,
      response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
    },
    handler: async (request) => confirmTwoFactor(deps, { userId: actorOf(request), code: request.body.code }),
  });

  app.post('/auth/2fa/disable', {
    config: { idempotency: false, rateLimit: 'login', errors: ['WRONG_PASSWORD', 'TWO_FACTOR_CODE_INVALID', 'TWO_FACTOR_NOT_ENABLED'] },
    schema: {
      description: 'Turns two-factor authentication off, given the password and a code (TOTP or an unused recovery code).',
      body: disableBody,
      response: { 200: z.object({ twoFactorEnabled: z.literal(false) }) },
    },
    handler: async (request, reply) => {
      const userId = actorOf(request);
      return withRetryAfter(reply, () => disableTwoFactor(withHashingAs(deps, callerOf(request, request.actor!.username)), { userId, ...request.body }));
    },
  });

  app.post('/auth/login/2fa', {
    // A wrong code is a failed login of the address (loginAttempt): it makes the address a suspect for password hashing.
    config: { public: true, idempotency: false, rateLimit: 'login', errors: ['INVALID_CREDENTIALS'] },
    schema: {
      description:
        "A login's second step: the challenge POST /users/login answered and a code (TOTP or an unused recovery code) start the session. A challenge lives five minutes and takes five codes.",
      body: loginBody,
      response: { 200: loginSession },
    },
    handler: async (request) => loginAttempt(callerOf(request, null), (hashing) => completeTwoFactorLogin({ ...deps, hashing }, request.body, clientOf(request))),
  });
};
