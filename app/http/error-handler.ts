import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConcurrencyError } from '../../events/index.js';
import { backendOf } from './backend-errors.js';

// One error model for every route (docs/architecture.md "Errors"):
// { "error": { "code": "...", "message": "...", "details": [{ "path", "message", "location"? }] } }
export interface ErrorDetail {
  path: string;
  message: string;
  location?: string;
}

export const errorBody = (code: string, message: string, details: readonly ErrorDetail[] = []) => ({
  error: { code, message, details },
});

// Fastify's own request errors, by code, with the stable code and status clients get.
const fastifyErrors: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_BODY'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_BODY'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'MALFORMED_BODY'],
};

/**
 * Refusals from any layer (DomainError, AuthenticationError, ReadError, InvalidCursorError) carry
 * a 4xx `status` and a stable `code`; that shape, not a class, is what makes them client errors.
 */
const isClientError = (error: unknown): error is Error & { status: number; code: string; details?: ErrorDetail[] } => {
  const { status, code } = error as { status?: unknown; code?: unknown };
  return error instanceof Error && typeof status === 'number' && status >= 400 && status < 500 && typeof code === 'string';
};

export const installErrorHandling = (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const location = error.validationContext ?? 'body';
      const details = error.validation.map((issue) => ({
        path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.'),
        message: issue.message ?? 'invalid',
        location,
      }));
      return reply.code(400).send(errorBody('VALIDATION_FAILED', `invalid request ${location}`, details));
    }
    if (isClientError(error)) return reply.code(error.status).send(errorBody(error.code, error.message, error.details ?? []));
    if (error instanceof ConcurrencyError) {
      return reply.code(409).send(errorBody('CONCURRENCY_CONFLICT', 'the resource changed concurrently; retry the request'));
    }
    const known = error.code ? fastifyErrors[error.code] : undefined;
    if (known) return reply.code(known[0]).send(errorBody(known[1], error.message));
    const backend = backendOf(error);
    if (backend) {
      request.log.warn({ err: error, backend }, 'backend unavailable');
      return reply.code(503).send(errorBody('BACKEND_UNAVAILABLE', `${backend} is unavailable`, [{ path: backend, message: 'unavailable' }]));
    }
    // PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, a malformed date)
    // come from values a client passed through, e.g. a forged cursor: a bad request, not a crash.
    if (typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code)) {
      request.log.info({ err: error }, 'rejected a value PostgreSQL could not take');
      return reply.code(400).send(errorBody('INVALID_INPUT', 'a value in the request is out of range or malformed'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('BAD_REQUEST', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
};
