import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConcurrencyError } from '../../events/index.js';
import { AppError, type ErrorCode, type ErrorDetail } from '../../kernel/errors.js';
import { backendOf, elasticsearchRefusal } from './backend-errors.js';
import { describeErrorResponses } from './openapi-errors.js';

// One error model for every route (docs/architecture.md "Errors"), its codes and statuses from
// the catalogue (kernel/errors.ts):
// { "error": { "code": "...", "message": "...", "details": [{ "path", "message", "location"? }] } }

export const errorBody = (code: ErrorCode, message: string, details: readonly ErrorDetail[] = []) => ({
  error: { code, message, details },
});

/** Answers with `error`'s catalogued status and its body. */
export const sendError = (reply: FastifyReply, error: AppError) => reply.code(error.status).send(errorBody(error.code, error.message, error.details));

// Fastify's own request errors, by Fastify code, with the catalogue code clients get instead.
const fastifyErrors: Partial<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
};

/** A route schema's refusal of the request, naming each failing field and where it is. */
const validationFailure = (error: FastifyError): AppError | null => {
  if (!hasZodFastifySchemaValidationErrors(error)) return null;
  const location = error.validationContext ?? 'body';
  const details = error.validation.map((issue) => ({
    path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.'),
    message: issue.message ?? 'invalid',
    location,
  }));
  return new AppError('VALIDATION_FAILED', `invalid request ${location}`, details);
};

/** The refusal `error` stands for when it is one the catalogue names outright. */
const catalogued = (error: FastifyError): AppError | null => {
  if (error instanceof AppError) return error;
  if (error instanceof ConcurrencyError) return new AppError('CONCURRENCY_CONFLICT');
  const fastifyCode = error.code ? fastifyErrors[error.code] : undefined;
  return fastifyCode ? new AppError(fastifyCode, error.message) : null;
};

// PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, a malformed date)
// come from values a client passed through, e.g. a forged cursor: a bad request, not a crash.
const isDataException = (error: FastifyError) => typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code);

const errorModel = async (app: FastifyInstance) => {
  app.addHook('onRoute', describeErrorResponses);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = validationFailure(error) ?? catalogued(error);
    if (refusal) return sendError(reply, refusal);
    const backend = backendOf(error);
    if (backend) {
      request.log.warn({ err: error, backend }, 'backend unavailable');
      return sendError(reply, new AppError('BACKEND_UNAVAILABLE', `${backend} is unavailable`, [{ path: backend, message: 'unavailable' }]));
    }
    // Elasticsearch refusing a value a client passed through (e.g. a forged cursor) is a bad
    // request, as PostgreSQL's is below; any other answer of its is its fault. Its message stays in the log.
    const esStatus = elasticsearchRefusal(error);
    if (esStatus !== null) {
      const clientsFault = esStatus >= 400 && esStatus < 500 && esStatus !== 401 && esStatus !== 403 && esStatus !== 404 && esStatus !== 429;
      request.log.warn({ err: error, backend: 'elasticsearch', status: esStatus }, 'Elasticsearch refused a request');
      return sendError(reply, clientsFault ? new AppError('INVALID_INPUT') : new AppError('BACKEND_UNAVAILABLE', 'elasticsearch is unavailable', [{ path: 'elasticsearch', message: 'unavailable' }]));
    }
    if (isDataException(error)) {
      request.log.info({ err: error }, 'rejected a value PostgreSQL could not take');
      return sendError(reply, new AppError('INVALID_INPUT'));
    }
    // Any other request Fastify refuses keeps Fastify's own 4xx status (a bad URL is a 400).
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('BAD_REQUEST', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, new AppError('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new AppError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
};

/**
 * Fastify's `frameworkErrors` option: the requests its router refuses before any route or hook
 * runs (a path with bad percent-encoding, a path parameter over `maxParamLength`), answered in the
 * platform's error shape as a 400 rather than in Fastify's own.
 */
export const frameworkErrors = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendError(reply, new AppError('VALIDATION_FAILED', 'invalid request params', [{ path: '', message: 'a path parameter is too long', location: 'params' }]));
  }
  return sendError(reply, new AppError('BAD_REQUEST', error.code === 'FST_ERR_BAD_URL' ? 'the path is not a valid URL' : error.message));
};

/**
 * The error model as a plugin: the error and not-found handlers for the whole app, and the error
 * answers in every route's OpenAPI description. Register it before any route.
 */
export const errorHandling = fp(errorModel, { name: 'instagram-errors', fastify: '5.x' });
