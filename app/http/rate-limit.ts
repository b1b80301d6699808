import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, type Registry } from 'prom-client';
// Declares `request.actor`, which authentication sets.
import type {} from '../../kernel/actor.js';
import { loginKey } from '../../kernel/caller-keys.js';
import { AppError } from '../../kernel/errors.js';
import { addressGroup, isLoopback } from '../rate-limit/address.js';
import { RATE_LIMIT_TABLE, type RateLimitClass, type RateLimitSettings } from '../rate-limit/limits.js';
import type { RateLimitStore, Take } from '../rate-limit/store.js';
import { sendError } from './error-handler.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's rate-limit class (app/rate-limit/limits.ts); unset: the default of its method
     * (GET/HEAD read, DELETE delete, other methods write). false: not limited (operations routes only).
     */
    rateLimit?: RateLimitClass | false;
  }
  interface FastifyInstance {
    /** Every route with its class, as registered (a test checks that each has one). */
    rateLimitClasses: { method: string; url: string; rateLimit: RateLimitClass | false }[];
  }
  interface FastifyRequest {
    rateLimitTake: Take | null;
  }
}

export const defaultClassOf = (method: string): RateLimitClass => (method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write');

export interface RateLimitOptions {
  settings: RateLimitSettings;
  store: RateLimitStore | null;
  registry: Registry;
  now?: () => number;
  /** Loopback callers skip the per-address buckets (never the per-account ones): `npm run demo` against `npm start`. */
  exemptLoopback?: boolean;
}

interface Bucket {
  key: string;
  cls: RateLimitClass;
}

// The buckets of a request, before its body is read: per address and per account. A request
// without an actor (no token, or one authentication refused and answers 401 after this hook)
// counts per address in `anonymous`. Login's per-account bucket needs the body (the account it
// names): see preValidation below.
const bucketsOf = (request: FastifyRequest, cls: RateLimitClass, exemptLoopback: boolean): Bucket[] => {
  const scope = RATE_LIMIT_TABLE[cls].scope;
  const address = exemptLoopback && isLoopback(request.ip) ? null : addressGroup(request.ip);
  if (scope === 'account') {
    if (request.actor) return [{ key: `${cls}:u:${request.actor.userId}`, cls }];
    return address ? [{ key: `anonymous:a:${address}`, cls: 'anonymous' }] : [];
  }
  return address ? [{ key: `${cls}:a:${address}`, cls }] : [];
};

/** The login's account, as named in the body (kernel/caller-keys.ts loginKey), or null. */
const loginAccountOf = (body: unknown): string | null => {
  if (typeof body !== 'object' || body === null) return null;
  const { username, email } = body as { username?: unknown; email?: unknown };
  const name = typeof username === 'string' ? username : typeof email === 'string' ? email : null;
  return name === null ? null : loginKey(name);
};

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * The rate limits of the API (docs/architecture.md "HTTP API"): token buckets in the store, one
 * per class and account or address. Every limited answer carries RateLimit-Limit,
 * RateLimit-Remaining and RateLimit-Reset of its tightest bucket; a refusal is 429 RATE_LIMITED
 * with Retry-After. A store that fails lets the request through (logged, counted).
 */
const rateLimitPlugin: FastifyPluginAsync<RateLimitOptions> = async (app, { settings, store, registry, now = Date.now, exemptLoopback = true }) => {
  // Read when asked: a later onRoute hook may still set a class (operations.ts exempts /docs so).
  const routes: RouteOptions[] = [];
  app.decorate('rateLimitClasses', {
    getter: () =>
      routes.flatMap((route) => [route.method].flat().map((method) => ({ method: String(method), url: route.url, rateLimit: route.config?.rateLimit ?? false }))),
  });
  app.decorateRequest('rateLimitTake', null);
  app.addHook('onRoute', (route) => {
    const rateLimit = route.config?.rateLimit ?? defaultClassOf(String(route.method));
    route.config = { ...route.config, rateLimit };
    routes.push(route);
  });
  if (!settings.enabled || !store) return;

  const failures =
    (registry.getSingleMetric('rate_limit_store_failures_total') as Counter | undefined) ??
    new Counter({ name: 'rate_limit_store_failures_total', help: 'Rate-limit checks let through because the store failed', registers: [registry] });

  // Takes from each bucket; answers 429 when one is empty. Returns whether the request was refused.
  const check = async (request: FastifyRequest, reply: FastifyReply, buckets: Bucket[]): Promise<boolean> => {
    if (buckets.length === 0) return false;
    let takes: { take: Take; limit: number }[];
    try {
      const at = now();
      takes = await Promise.all(
        buckets.map(async ({ key, cls }) => {
          const { limit, windowMs } = settings.limits[cls];
          return { take: await store.take(key, limit, windowMs, at), limit };
        }),
      );
    } catch (error) {
      failures.inc();
      request.log.warn({ err: error }, 'rate-limit store failed: request let through');
      return false;
    }
    const previous = request.rateLimitTake ? [{ take: request.rateLimitTake, limit: Number(reply.getHeader('ratelimit-limit')) }] : [];
    const tightest = [...previous, ...takes].reduce((a, b) =>
      a.take.allowed !== b.take.allowed ? (a.take.allowed ? b : a) : b.take.remaining < a.take.remaining ? b : a,
    );
    request.rateLimitTake = tightest.take;
    reply.header('ratelimit-limit', tightest.limit);
    reply.header('ratelimit-remaining', tightest.take.remaining);
    reply.header('ratelimit-reset', seconds(tightest.take.resetMs));
    if (tightest.take.allowed) return false;
    reply.header('retry-after', Math.max(1, seconds(tightest.take.retryAfterMs)));
    await sendError(reply, new AppError('RATE_LIMITED'));
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const cls = request.routeOptions.config?.rateLimit;
    if (!cls || request.is404) return;
    if (await check(request, reply, bucketsOf(request, cls, exemptLoopback))) return reply;
  });
  // Login also counts per account, the one named in the body, whether or not the password is right.
  app.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.config?.rateLimit !== 'login' || reply.sent) return;
    const account = loginAccountOf(request.body);
    if (account !== null && (await check(request, reply, [{ key: `login:u:${account}`, cls: 'login' }]))) return reply;
  });
};

export const rateLimits = fp(rateLimitPlugin, { name: 'instagram-rate-limit', fastify: '5.x', dependencies: ['instagram-authentication'] });
