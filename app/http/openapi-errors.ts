import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { codesOfStatus, errorCatalogue, errorStatuses, type ErrorCode, type ErrorStatus } from '../../kernel/errors.js';

// The error answers of each route, in its OpenAPI description: the routes declare their 2xx
// bodies; this adds, from the route's shape, the statuses it can also answer, each with the error
// body and the catalogue's codes for that status, so that a generated client can read every error.
// The error handler's bodies pass these schemas (they are also the serializer's), because an
// AppError's status is the one catalogued for its code.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Codes this route answers that its shape does not imply (login: INVALID_CREDENTIALS on a public route). */
    errors?: readonly ErrorCode[];
  }
}

const errorDetail = z.object({ path: z.string(), message: z.string(), location: z.string().optional() });

const schemaOf = (status: ErrorStatus) => {
  const codes = codesOfStatus(status) as [ErrorCode, ...ErrorCode[]];
  return z
    .object({ error: z.object({ code: z.enum(codes), message: z.string(), details: z.array(errorDetail) }) })
    .describe(`${errorStatuses[status]}: ${codes.join(', ')}`);
};

const errorSchemas = new Map((Object.keys(errorStatuses).map(Number) as ErrorStatus[]).map((status) => [status, schemaOf(status)]));

/** The body of an error answer with `status`: `{ error: { code, message, details } }`, `code` one of that status's. */
export const errorResponseSchema = (status: ErrorStatus) => errorSchemas.get(status)!;

const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * The error statuses a route can answer, from what it declares: any route can fail (500) or lose a
 * backend (503); input can be malformed (400); an authenticated route can be called without a token
 * (401); a path that names something can name nothing (404), and an authenticated one something
 * the caller may not see or touch (403); a write can also be refused for its body (413, 415), a
 * taken name or a lost race (409), a broken rule or a reused Idempotency-Key (422), and name
 * something unknown (404) or not the caller's (403); any rate-limited route can answer 429.
 */
export const errorStatusesOf = (route: Pick<RouteOptions, 'method' | 'schema' | 'config'>): ErrorStatus[] => {
  const write = [route.method].flat().some((method) => !BODYLESS_METHODS.has(method));
  const { body, querystring, params, headers } = route.schema ?? {};
  const authenticated = route.config?.public !== true;
  const statuses = new Set<ErrorStatus>([500, 503]);
  if (write || body || querystring || params || headers) statuses.add(400);
  if (authenticated) statuses.add(401);
  if (params || write) statuses.add(404);
  if (authenticated && (params || write)) statuses.add(403);
  if (write) for (const status of [409, 413, 415, 422] as const) statuses.add(status);
  // Every route but the operations ones has a rate-limit class (app/http/rate-limit.ts).
  if (route.config?.rateLimit !== false) statuses.add(429);
  for (const code of route.config?.errors ?? []) statuses.add(errorCatalogue[code].status);
  return [...statuses].sort((a, b) => a - b);
};

/** onRoute hook: adds the error answers to a documented route's `schema.response`, keeping any it declares. */
export const describeErrorResponses = (route: RouteOptions) => {
  if (!route.schema || route.schema.hide) return;
  const response: Record<string, unknown> = { ...(route.schema.response as Record<string, unknown> | undefined) };
  for (const status of errorStatusesOf(route)) response[status] ??= errorResponseSchema(status);
  route.schema = { ...route.schema, response };
};
