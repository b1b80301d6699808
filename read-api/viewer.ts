import type { FastifyRequest } from 'fastify';
import { AppError } from '../kernel/errors.js';

/** The authenticated caller; the authentication hook refuses anonymous calls before any read route runs. */
export const viewerOf = (request: FastifyRequest): string => {
  if (!request.actor) throw new AppError('UNAUTHORIZED', 'missing bearer token');
  return request.actor.userId;
};
