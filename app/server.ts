import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CommandDeps } from '../commands/deps.js';
import { commandRoutes } from '../commands/http/index.js';
import type { IdempotencyStore } from '../commands/idempotency/idempotency-store.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import { localMediaFiles } from '../media/storage/local/routes.js';
import type { ReadDeps } from '../read-api/deps.js';
import { readYourWrites } from '../read-api/freshness.js';
import { readRoutes } from '../read-api/index.js';
import { authentication } from './http/authentication.js';
import { correlation, requestIdOf } from './http/correlation.js';
import { errorHandling, frameworkErrors } from './http/error-handler.js';
import { idempotencyKeys } from './http/idempotency.js';
import { rateLimits as rateLimitHooks } from './http/rate-limit.js';
import { withTokensRedacted } from './http/redact-token.js';
import { installOpenApi, operationRoutes } from './http/operations.js';
import { webClient } from './http/web-client.js';
import { locallyServed } from './media-storage.js';
import type { Metrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { PATH_PARAM_MAX_LENGTH } from '../kernel/limits.js';
import type { RateLimitSettings } from './rate-limit/limits.js';
import type { RateLimitStore } from './rate-limit/store.js';
import { loadSettings, type ServingLimits } from './config.js';

export interface ServerParts {
  commands: CommandDeps;
  idempotency: IdempotencyStore;
  reads: ReadDeps;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  logger?: FastifyServerOptions['logger'];
  /** Only /health, /ready, /metrics (processes that run projectors or workers but no API). */
  operationsOnly?: boolean;
  /** The local storage's signed URLs are served here, at /media-files/ (an S3 store serves its own). */
  mediaStorage?: MediaStorage;
  rateLimits: { settings: RateLimitSettings; store: RateLimitStore | null };
  /** Fastify's trustProxy (TRUST_PROXY): whose X-Forwarded-For gives the client's address. */
  trustProxy?: boolean | number | string[];
  /** The rate limits' clock (tests move it). */
  now?: () => number;
  /** Request and socket timeouts (HTTP_REQUEST_TIMEOUT, HTTP_CONNECTION_TIMEOUT); the defaults of app/config.ts when absent. */
  serving?: Pick<ServingLimits, 'requestTimeoutMs' | 'connectionTimeoutMs'>;
  /** The web client's build (web/dist), served at `/` (app/http/web-client.ts); none: not served. */
  webRoot?: string;
}

/**
 * Fastify's timeouts from the settings. requestTimeout bounds receiving the whole request,
 * headers AND body, so a body trickled a byte at a time is cut off (Node answers 408); it stops at
 * the request's last byte, so a long answer (an event stream) is not cut. connectionTimeout
 * closes a socket silent both ways (streams send heartbeats). Node only honours a request timeout
 * given when the server is created (Fastify's own option sets it after), and looks for overdue
 * requests every connectionsCheckingInterval (30 s by default): a fraction of the timeout keeps
 * the cut near it.
 */
const timeoutsOf = ({ requestTimeoutMs, connectionTimeoutMs }: Pick<ServingLimits, 'requestTimeoutMs' | 'connectionTimeoutMs'>) => ({
  requestTimeout: requestTimeoutMs,
  connectionTimeout: connectionTimeoutMs,
  http:
    requestTimeoutMs > 0
      ? {
          requestTimeout: requestTimeoutMs,
          // Node's 60 s, unless the whole request has less.
          headersTimeout: Math.min(60_000, requestTimeoutMs),
          connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.round(requestTimeoutMs / 4))),
        }
      : {},
});

export const buildServer = async ({ commands, idempotency, reads, metrics, readiness, logger = false, operationsOnly = false, mediaStorage, rateLimits, trustProxy = false, now, serving = loadSettings({}, []).serving, webRoot }: ServerParts) => {
  const app = Fastify({
    ...timeoutsOf(serving),
    // A hop count trusts that many proxies nearest to the server.
    trustProxy: typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    logger: withTokensRedacted(logger),
    bodyLimit: 1024 * 1024,
    requestIdHeader: false, // requestIdOf reads X-Request-Id, validated
    genReqId: requestIdOf,
    frameworkErrors,
    routerOptions: { maxParamLength: PATH_PARAM_MAX_LENGTH },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorHandling);
  await app.register(correlation);
  await app.register(authentication, { tokens: commands.tokens, sessions: commands.sessions });
  // Before idempotency: a refused request claims no key.
  await app.register(rateLimitHooks, { ...rateLimits, registry: metrics.registry, now });
  await app.register(idempotencyKeys, { store: idempotency });
  await app.register(readYourWrites, { freshness: reads.freshness });
  metrics.observeHttp(app);
  await installOpenApi(app);

  await operationRoutes(app, { readiness, metrics: metrics.registry });
  if (operationsOnly) return app;
  const localStorage = locallyServed(mediaStorage);
  if (localStorage) await app.register(localMediaFiles, { storage: localStorage });
  await app.register(
    async (api) => {
      await api.register(commandRoutes, commands);
      await api.register(readRoutes, reads);
    },
    { prefix: '/api/v1' },
  );
  if (webRoot) await app.register(webClient, { root: webRoot, uploadOrigin: (await mediaStorage?.uploadOrigin?.()) ?? null });
  return app;
};
