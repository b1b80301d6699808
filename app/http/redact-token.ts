import type { FastifyRequest, FastifyServerOptions } from 'fastify';

// The event stream takes its token in the query string (?access_token=, for EventSource), and
// request logs carry the URL: write the token there as [redacted], so that logs hold no
// credentials. The rest is what Fastify's own request serializer logs.
export const redactAccessToken = (url: string) => url.replace(/([?&]access_token=)[^&#]*/g, '$1[redacted]');

const serializeRequest = (request: FastifyRequest) => ({
  method: request.method,
  url: redactAccessToken(request.url),
  host: request.host,
  remoteAddress: request.ip,
  remotePort: request.socket?.remotePort,
});

/** The logger options with the request serializer above (unless the caller brought its own). */
export const withTokensRedacted = (logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] =>
  logger && typeof logger === 'object' ? { ...logger, serializers: { req: serializeRequest, ...logger.serializers } } : logger;
