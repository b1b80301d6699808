import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenService } from '../../commands/accounts/tokens.js';
// Declares `request.actor`, which this plugin sets.
import type {} from '../../kernel/actor.js';
import { AppError } from '../../kernel/errors.js';
import { sendError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed (register, login, health, docs). */
    public?: boolean;
    /**
     * The token may also come as `?access_token=` (the event stream: browsers' EventSource cannot
     * set headers). Only where needed: URLs end up in logs and histories, headers do not.
     */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
    /** Why the request is refused 401 (missing, malformed, expired or forged token), or null. */
    authenticationFailure: string | null;
  }
}

const queryToken = (request: FastifyRequest): string | null => {
  if (!request.routeOptions.config.tokenInQuery) return null;
  const token = (request.query as { access_token?: unknown } | undefined)?.access_token;
  return typeof token === 'string' && token !== '' ? token : null;
};

/**
 * Bearer JWT on every route but the public ones, checked before the body is even read; sets
 * `request.actor` (kernel/actor.ts). A public route still learns who calls when a valid token
 * comes along. After correlation, so that a 401 carries the request's ids too.
 *
 * The token is checked in onRequest, but a refused one is answered only in preParsing, once every
 * onRequest hook has run: the rate limits (app/http/rate-limit.ts, registered after this plugin)
 * count the request per address first, so that a flood of bad tokens ends in 429s, not endless 401s.
 */
const authenticationPlugin: FastifyPluginAsync<{ tokens: TokenService }> = async (app, { tokens }) => {
  app.decorateRequest('actor', null);
  app.decorateRequest('authenticationFailure', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : queryToken(request);
    request.actor = token ? await tokens.verify(token) : null;
    if (request.actor || request.routeOptions.config.public || request.is404) return;
    request.authenticationFailure = token ? 'invalid or expired token' : 'missing bearer token';
  });
  // Callback style: a refusal does not call `done`, so the body is never read. (An async preParsing
  // hook may only resolve to a payload stream.)
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (request.authenticationFailure === null) return done(null, payload);
    sendError(reply, new AppError('UNAUTHORIZED', request.authenticationFailure));
  });
};

export const authentication = fp(authenticationPlugin, { name: 'instagram-authentication', fastify: '5.x', dependencies: ['instagram-correlation'] });
