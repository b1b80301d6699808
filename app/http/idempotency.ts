import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { IdempotencyStore } from '../../commands/idempotency/idempotency-store.js';
import { AppError } from '../../kernel/errors.js';
import { sendError } from './error-handler.js';

// `Idempotency-Key` on POST (docs/architecture.md "HTTP API"): a repeat with the same key and body gets the first
// response and appends nothing, also when the repeats arrive at the same time.
const HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface IdempotencyClaim {
  scope: string;
  key: string;
  /** This request's hold on the key (the store compares it in complete and release). */
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim: IdempotencyClaim | null;
  }
  interface FastifyContextConfig {
    /**
     * false: the route ignores Idempotency-Key (login: it changes nothing, and its answer is a secret).
     * SecretAnswer: what the route's answer holds that must not be kept (register: a token).
     */
    idempotency?: false | SecretAnswer;
  }
}

/**
 * A route whose request and answer hold secrets (register: a password in, a token out). The key's
 * row keeps neither: the fingerprint leaves out the request's secret fields, the stored answer its
 * secret fields, and a replay of a success recomputes them from the repeat itself (`recompute`,
 * which checks the repeat's secret, e.g. the password, and refuses it by throwing).
 */
export interface SecretAnswer {
  secretRequestFields: readonly string[];
  secretAnswerFields: readonly string[];
  recompute(request: FastifyRequest): Promise<Record<string, unknown>>;
}

export interface IdempotencyOptions {
  store: IdempotencyStore & { purgeExpired?(): Promise<number> };
  /** How long a repeat waits for the first request with its key to finish. */
  waitMs?: number;
  pollMs?: number;
  purgeEveryMs?: number;
}

/** Keys are scoped by caller (`request.actor`): one user's key never replays another's answer. */
const idempotencyPlugin: FastifyPluginAsync<IdempotencyOptions> = async (app, { store, waitMs = 10_000, pollMs = 25, purgeEveryMs = 3_600_000 }) => {
  app.decorateRequest('idempotencyClaim', null);
  // Keys are kept for a day (the store's retention); expired ones are purged while the API runs.
  if (store.purgeExpired) {
    const purge = store.purgeExpired.bind(store);
    const timer = setInterval(() => void purge().catch((error: unknown) => app.log.warn({ err: error }, 'idempotency purge failed')), purgeEveryMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers[HEADER];
    if (request.method !== 'POST' || key === undefined || request.routeOptions.config.idempotency === false) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      return sendError(
        reply,
        new AppError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
          { path: 'Idempotency-Key', message: 'invalid', location: 'headers' },
        ]),
      );
    }
    const scope = request.actor?.userId ?? 'anonymous';
    const fingerprint = fingerprintOf(request);
    for (const deadline = Date.now() + waitMs; ; ) {
      const claim = await store.claim(scope, key, fingerprint);
      switch (claim.outcome) {
        case 'claimed':
          request.idempotencyClaim = { scope, key, token: claim.token };
          return;
        case 'replay': {
          const secret = secretAnswerOf(request);
          if (secret && claim.response.statusCode < 300) {
            // The stored answer lacks its secrets: recomputed from the repeat, which must prove them.
            const recomputed = await secret.recompute(request).catch(() => null);
            if (recomputed === null) return sendError(reply, new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request'));
            return reply
              .code(claim.response.statusCode)
              .header('idempotent-replayed', 'true')
              .type('application/json; charset=utf-8')
              .send(JSON.stringify({ ...(JSON.parse(claim.response.body) as object), ...recomputed }));
          }
          return reply
            .code(claim.response.statusCode)
            .header('idempotent-replayed', 'true')
            .type('application/json; charset=utf-8')
            .send(claim.response.body);
        }
        case 'mismatch':
          return sendError(reply, new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request'));
        case 'in_progress':
          if (Date.now() >= deadline) {
            return sendError(reply, new AppError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still in progress'));
          }
          await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = null;
    // A 5xx, a conflict that survived the retries or a rate limit is not an answer: give the key
    // back so that the client's retry is handled afresh.
    // A key left claimed (complete or release failed, the process died) is taken over after the
    // store's abandon time; the retry then finds what this request created, as the ids of what a
    // keyed command creates derive from the key (commands/created-once.ts).
    // Failing to keep the answer does not change it: the client gets what happened (a 201 stays a
    // 201), and the key, left claimed, is taken over by a later retry as above.
    try {
      if (isRetryable(reply.statusCode, payload)) await store.release(claim.scope, claim.key, claim.token);
      else await store.complete(claim.scope, claim.key, claim.token, { statusCode: reply.statusCode, body: storedBody(request, String(payload ?? '')) });
    } catch (error) {
      request.log.warn({ err: error }, 'could not record the answer under its Idempotency-Key');
    }
    return payload;
  });
};

export const idempotencyKeys = fp(idempotencyPlugin, { name: 'instagram-idempotency', fastify: '5.x', dependencies: ['instagram-authentication'] });

const isRetryable = (status: number, payload: unknown) =>
  status >= 500 || status === 429 || (status === 409 && String(payload).includes('"CONCURRENCY_CONFLICT"'));

const secretAnswerOf = (request: FastifyRequest): SecretAnswer | null => request.routeOptions.config.idempotency || null;

/** `value` without the named top-level fields, when it is an object. */
const without = (value: unknown, fields: readonly string[]): unknown =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).filter(([name]) => !fields.includes(name)))
    : value;

/** The answer as kept for replays: without its secret fields. */
const storedBody = (request: FastifyRequest, body: string): string => {
  const secret = secretAnswerOf(request);
  if (!secret) return body;
  try {
    return JSON.stringify(without(JSON.parse(body), secret.secretAnswerFields));
  } catch {
    return body;
  }
};

/** A hash of the request, without its secret fields (no password-derived hash is ever kept). */
const fingerprintOf = (request: FastifyRequest) =>
  createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(without(request.body ?? null, secretAnswerOf(request)?.secretRequestFields ?? []))}`)
    .digest('base64url');
