import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../kernel/actor.js';
import { AppError } from '../../kernel/errors.js';
import type { LoginClient } from '../accounts/login.js';
import type { CommandDeps } from '../deps.js';
import { accountDeletion } from './schemas.js';

// Sessions (commands/accounts/sessions.ts): refresh, the caller's sessions, logout, and the
// one-minute ticket that opens the event stream. Login and register start a session
// (account-routes.ts).

/** What login, register and refresh answer. */
export const issuedSession = z.object({
  userId: z.string(),
  username: z.string(),
  sessionId: z.string(),
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
});

/** What a login answers when the session starts (POST /users/login, /auth/login/2fa): for an account in its deletion grace period, when it will be erased. */
export const loginSession = issuedSession.extend({ deletion: accountDeletion });

/** The fields of a session's answer an Idempotency-Key row must not keep (app/http/idempotency.ts). */
export const SESSION_FIELDS = ['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'sessionId'] as const;

/** Who logs in, as the sessions list shows it: the User-Agent and the address (behind TRUST_PROXY, the client's). */
export const clientOf = (request: FastifyRequest): LoginClient => ({ userAgent: request.headers['user-agent'], address: request.ip });

/** 256 random bits, base64url: 43 characters. Bounded so that junk is a 400, not a hash of megabytes. */
const refreshBody = z.strictObject({ refreshToken: z.string().min(1).max(128) });
const sessionIdParam = z.strictObject({ sessionId: z.uuid() });
const sessionView = z.object({
  sessionId: z.string(),
  device: z.string(),
  address: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  current: z.boolean(),
});

const sessionOf = (request: FastifyRequest): string => {
  const sessionId = request.actor?.sessionId;
  if (!sessionId) throw new AppError('UNAUTHORIZED', 'missing bearer token');
  return sessionId;
};

export const authRoutes: FastifyPluginAsyncZod<CommandDeps> = async (app, deps) => {
  app.post('/auth/refresh', {
    // No access token needed: it may have expired, which is what refreshing is for.
    config: { public: true, idempotency: false, rateLimit: 'refresh', errors: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'] },
    schema: {
      description: 'Rotates the refresh token: the answer holds a new access token and a new refresh token; the one sent is used up. Sent again, it ends the whole session (REFRESH_TOKEN_REUSED).',
      body: refreshBody,
      response: { 200: issuedSession },
    },
    handler: async (request) => deps.sessions.refresh(request.body.refreshToken, request.ip),
  });

  app.get('/auth/sessions', {
    config: { rateLimit: 'read' },
    schema: {
      description: "The caller's live sessions, most recently used first; `current` marks the one asking.",
      response: { 200: z.object({ items: z.array(sessionView) }) },
    },
    handler: async (request) => ({ items: await deps.sessions.list(actorOf(request), sessionOf(request)) }),
  });

  app.delete('/auth/sessions/:sessionId', {
    config: { idempotency: false, errors: ['SESSION_NOT_FOUND'] },
    schema: {
      description: "Ends one of the caller's sessions: its refresh token stops working, its access tokens at once, its event streams close.",
      params: sessionIdParam,
    },
    handler: async (request, reply) => {
      await deps.sessions.end(actorOf(request), request.params.sessionId);
      return reply.code(204).send();
    },
  });

  app.post('/auth/logout', {
    config: { idempotency: false },
    schema: { description: 'Ends the session of the access token sent.' },
    handler: async (request, reply) => {
      await deps.sessions.end(actorOf(request), sessionOf(request));
      return reply.code(204).send();
    },
  });

  app.post('/auth/logout-all', {
    config: { idempotency: false },
    schema: { description: "Ends every session of the caller's, this one included.", response: { 200: z.object({ ended: z.number().int() }) } },
    handler: async (request) => ({ ended: (await deps.sessions.revokeAll(actorOf(request))).length }),
  });

  app.post('/auth/stream-ticket', {
    config: { idempotency: false },
    schema: {
      description:
        'A single-use ticket for GET /stream?ticket=, valid one minute. The stream it opens closes when the session ends or when the access token that asked for the ticket expires.',
      response: { 201: z.object({ ticket: z.string(), expiresAt: z.string() }) },
    },
    handler: async (request, reply) => {
      const actor = request.actor;
      if (!actor) throw new AppError('UNAUTHORIZED', 'missing bearer token');
      return reply.code(201).send(await deps.sessions.issueStreamTicket(actor));
    },
  });
};
