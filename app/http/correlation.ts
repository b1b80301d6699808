import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

// Every request has an id (X-Request-Id, or a fresh UUID) and a correlation id (X-Correlation-Id,
// or the request id). A given id is taken only when it is 1 to 128 visible ASCII characters;
// anything else is replaced by a fresh UUID, never echoed into logs, headers or event metadata. Both are on every log line of the request and in the response headers; the
// correlation id also goes into the metadata of the events a command appends.
declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
  }
}

const HEADER = 'x-correlation-id';
const VALID = /^[\x21-\x7e]{1,128}$/;

const given = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' && VALID.test(value) ? value : undefined);

/** The request id: a valid `X-Request-Id`, else a fresh UUID (Fastify's `genReqId`). */
export const requestIdOf = (request: IncomingMessage): string => given(request.headers['x-request-id']) ?? randomUUID();

const correlationPlugin: FastifyPluginAsync = async (app) => {
  app.decorateRequest('correlationId', '');
  app.addHook('onRequest', async (request, reply) => {
    request.correlationId = given(request.headers[HEADER]) ?? request.id;
    request.log = request.log.child({ correlationId: request.correlationId });
    reply.header('x-request-id', request.id);
    reply.header(HEADER, request.correlationId);
  });
};

export const correlation = fp(correlationPlugin, { name: 'instagram-correlation', fastify: '5.x' });
