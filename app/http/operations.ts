import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { Readiness } from '../readiness.js';

// The operations endpoints of docs/architecture.md "HTTP API", outside /api/v1: /health (the
// process answers), /ready (its backends answer, and how far each projection lags), /metrics
// (Prometheus) and /docs (OpenAPI 3.1 generated from the routes' zod schemas, with an interactive
// page).

/** Must run before the API's routes are registered: the OpenAPI document is collected from them. */
export const installOpenApi = async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'instagram-es', description: 'Event-sourced Instagram-like backend: commands and queries', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
};

export const operationRoutes = async (app: FastifyInstance, { readiness, metrics }: { readiness: () => Promise<Readiness>; metrics: Registry }) => {
  // Public, and exempt from the rate limits (app/http/rate-limit.ts): probes and scrapers poll them.
  const open = { config: { public: true, rateLimit: false as const } };
  app.get('/health', open, async () => ({ status: 'ok' }));
  app.get('/ready', open, async (_request, reply) => {
    const state = await readiness();
    return reply.code(state.ready ? 200 : 503).send({ status: state.ready ? 'ready' : 'unavailable', ...state });
  });
  app.get('/metrics', open, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  // The docs page and its assets are public like the rest of this group.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true, rateLimit: false };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
};
