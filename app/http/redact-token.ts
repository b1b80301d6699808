import type { FastifyRequest, FastifyServerOptions } from 'fastify';

// The event stream takes a single-use ticket in the query string (?ticket=, for EventSource), and
// request logs carry the URL: write it there as [redacted], so that logs hold no credentials (an
// access_token a client still sends the same). The rest is what Fastify's own request serializer logs.
export const redactAccessToken = (url: string) => url.replace(/([?&](?:access_token|ticket)=)[^&#]*/g, '$1[redacted]');

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
