import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

// Every request has an id (X-Request-Id, or a fresh UUID) and a correlation id (X-Correlation-Id,
// or the request id). Both are on every log line of the request and in the response headers; the
// correlation id also goes into the metadata of the events a command appends.
declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
  }
}

const HEADER = 'x-correlation-id';
const VALID = /^[\x21-\x7e]{1,128}$/;

const correlationPlugin: FastifyPluginAsync = async (app) => {
  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', async (request, reply) => {
    const given = request.headers[HEADER];
    request.correlationId = typeof given === 'string' && VALID.test(given) ? given : request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header('x-request-id', request.id);
    reply.header(HEADER, request.correlationId);
  });
};

export const correlation = fp(correlationPlugin, { name: 'instagram-correlation', fastify: '5.x' });
