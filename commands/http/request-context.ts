import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../command-context.js';

/** Who asks, under which correlation and idempotency key, and when: the metadata of the events a command appends. */
export const contextOf = (request: FastifyRequest): CommandContext => {
  const key = request.headers['idempotency-key'];
  return {
    actorId: request.actor?.userId ?? null,
    correlationId: request.correlationId || request.id,
    idempotencyKey: typeof key === 'string' ? key : undefined,
    now: new Date().toISOString(),
  };
};
