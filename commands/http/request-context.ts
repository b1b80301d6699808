import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../command-context.js';
import { AppError } from '../../kernel/errors.js';

/** The authenticated caller's id; the authentication hook has already refused anonymous calls. */
export const actorIdOf = (request: FastifyRequest): string => {
  if (!request.actor) throw new AppError('UNAUTHORIZED', 'missing bearer token');
  return request.actor.userId;
};

export const contextOf = (request: FastifyRequest): CommandContext => {
  const key = request.headers['idempotency-key'];
  return {
    actorId: request.actor?.userId ?? null,
    correlationId: request.correlationId || request.id,
    idempotencyKey: typeof key === 'string' ? key : undefined,
    now: new Date().toISOString(),
  };
};
