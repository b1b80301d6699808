import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { CommandDeps } from '../commands/deps.js';
import { commandRoutes } from '../commands/http/index.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import { installAuthentication } from './http/authentication.js';
import { installErrorHandling } from './http/error-handler.js';
import { installIdempotency } from './http/idempotency.js';
import type { ReadDeps } from '../read-api/deps.js';
import { readRoutes } from '../read-api/index.js';

export interface ServerParts {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  reads: ReadDeps;
  logger?: FastifyServerOptions['logger'];
}

/** The HTTP API: cross-cutting hooks first, so that every route below inherits them. */
export const buildServer = async ({ commands, idempotency, reads, logger = false }: ServerParts) => {
  const app = Fastify({
    logger,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installAuthentication(app, commands.tokens);
  installIdempotency(app, idempotency);

  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }));
  await app.register(commandRoutes, commands);
  await app.register(readRoutes, reads);
  return app;
};
