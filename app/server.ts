import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { CommandDeps } from '../commands/deps.js';
import { commandRoutes } from '../commands/http/index.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import type { ReadDeps } from '../read-api/deps.js';
import { readRoutes } from '../read-api/index.js';
import { installAuthentication } from './http/authentication.js';
import { installCorrelation } from './http/correlation.js';
import { errorHandling } from './http/error-handler.js';
import { installIdempotency } from './http/idempotency.js';
import { withTokensRedacted } from './http/redact-token.js';
import { installOpenApi, operationRoutes } from './http/operations.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';

export interface ServerParts {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  reads: ReadDeps;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  logger?: FastifyServerOptions['logger'];
  /** Only /health, /ready, /metrics (processes that run projectors or workers but no API). */
  operationsOnly?: boolean;
}

/** The HTTP API: cross-cutting hooks first, so that every route below inherits them. */
export const buildServer = async ({ commands, idempotency, reads, metrics, readiness, logger = false, operationsOnly = false }: ServerParts) => {
  const app = Fastify({
    logger: withTokensRedacted(logger),
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandling);
  installCorrelation(app);
  installAuthentication(app, commands.tokens);
  installIdempotency(app, idempotency);
  metrics.observeHttp(app);
  await installOpenApi(app);

  await operationRoutes(app, { readiness, metrics: metrics.registry });
  if (operationsOnly) return app;
  await app.register(commandRoutes, commands);
  await app.register(readRoutes, reads);
  return app;
};
