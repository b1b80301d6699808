import { buildServer, type ServerParts } from '../app/server.js';

// The OpenAPI document the API serves at /docs/json, collected without a database or any other
// backend: the document comes from the routes' zod schemas alone, which are read when the routes
// are registered, so every dependency may stand in as an inert stub (any property is another
// stub, any call answers one), but for the keys that Fastify reads off a plugin's options (the
// dependencies are passed as options) and a promise's `then`. The web client's API types are generated from it
// (scripts/web-api-types.ts), and a test checks that the committed types match.
const NOT_STUBBED = new Set<string | symbol>(['then', 'prefix', 'logLevel', 'logSerializers', 'config']);
const inert: never = new Proxy<object>(function inert() {}, {
  get: (_target, key) => (NOT_STUBBED.has(key) ? undefined : key === Symbol.toPrimitive ? () => 0 : inert),
  apply: () => inert,
}) as never;

export const openApiDocument = async (): Promise<Record<string, unknown>> => {
  const parts: ServerParts = { commands: inert, idempotency: inert, reads: inert, metrics: inert, readiness: inert, rateLimits: { settings: inert, store: null } };
  const app = await buildServer(parts);
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
};
