import type { FastifyRequest } from 'fastify';
import { ReadError } from './errors.js';

/** The authenticated caller; the authentication hook refuses anonymous calls before any read route runs. */
export const viewerOf = (request: FastifyRequest): string => {
  if (!request.actor) throw new ReadError(401, 'UNAUTHORIZED', 'missing bearer token');
  return request.actor.userId;
};
