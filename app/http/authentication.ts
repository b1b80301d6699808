import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Sessions } from '../../commands/accounts/sessions.js';
import type { TokenService } from '../../commands/accounts/tokens.js';
// Declares `request.actor`, which this plugin sets.
import type { Actor } from '../../kernel/actor.js';
import { AppError, type ErrorCode } from '../../kernel/errors.js';
import { sendError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed (register, login, refresh, health, docs). */
    public?: boolean;
    /**
     * The caller may instead come with `?ticket=` (the event stream: browsers' EventSource cannot
     * set headers): a single-use, one-minute ticket of POST /auth/stream-ticket, never the access
     * token, since URLs end up in logs and histories.
     */
    streamTicket?: boolean;
  }
  interface FastifyRequest {
    /** Why the request is refused 401 (missing, malformed, expired, forged or revoked token), or null. */
    authenticationFailure: { code: ErrorCode; message: string } | null;
  }
}

const queryTicket = (request: FastifyRequest): string | null => {
  if (!request.routeOptions.config.streamTicket) return null;
  const ticket = (request.query as { ticket?: unknown } | undefined)?.ticket;
  return typeof ticket === 'string' && ticket !== '' && ticket.length <= 128 ? ticket : null;
};

/**
 * Bearer JWT on every route but the public ones, checked before the body is even read; sets
 * `request.actor` (kernel/actor.ts). A public route still learns who calls when a valid token
 * comes along. After correlation, so that a 401 carries the request's ids too.
 *
 * A token of a revoked session is refused at once: `sessions.isRevoked` answers from memory on the
 * hot path (commands/accounts/sessions.ts), from the database only while the revocation channel is down.
 *
 * The token is checked in onRequest, but a refused one is answered only in preParsing, once every
 * onRequest hook has run: the rate limits (app/http/rate-limit.ts, registered after this plugin)
 * count the request per address first, so that a flood of bad tokens ends in 429s, not endless 401s.
 */
const authenticationPlugin: FastifyPluginAsync<{ tokens: TokenService; sessions: Sessions }> = async (app, { tokens, sessions }) => {
  app.decorateRequest('actor', null);
  app.decorateRequest('authenticationFailure', null);

  const actorOfToken = async (token: string): Promise<Actor | null> => {
    const verified = await tokens.verify(token);
    if (!verified) return null;
    const revoked = sessions.isRevoked(verified.sessionId);
    return (typeof revoked === 'boolean' ? revoked : await revoked) ? null : verified;
  };
  const actorOfTicket = async (ticket: string): Promise<Actor | null> => {
    const redeemed = await sessions.redeemStreamTicket(ticket);
    return redeemed && { userId: redeemed.userId, username: redeemed.username, sessionId: redeemed.sessionId, expiresAtMs: redeemed.tokenExpiresAt.getTime() };
  };

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : null;
    const ticket = token ? null : queryTicket(request);
    request.actor = token ? await actorOfToken(token) : ticket ? await actorOfTicket(ticket) : null;
    if (request.actor || request.routeOptions.config.public || request.is404) return;
    request.authenticationFailure = ticket
      ? { code: 'INVALID_STREAM_TICKET', message: 'unknown, used or expired stream ticket' }
      : { code: 'UNAUTHORIZED', message: token ? 'invalid, expired or revoked token' : 'missing bearer token' };
  });
  // Callback style: a refusal does not call `done`, so the body is never read. (An async preParsing
  // hook may only resolve to a payload stream.)
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (request.authenticationFailure === null) return done(null, payload);
    sendError(reply, new AppError(request.authenticationFailure.code, request.authenticationFailure.message));
  });
};

export const authentication = fp(authenticationPlugin, { name: 'instagram-authentication', fastify: '5.x', dependencies: ['instagram-correlation'] });
