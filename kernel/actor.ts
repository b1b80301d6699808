import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

// Who calls. The authentication plugin (app/http/authentication.ts) sets `request.actor` from the
// bearer token before any route runs; the routes of every layer read it through `actorOf`.

export interface Actor {
  userId: string;
  username: string;
  /** The session the access token belongs to (commands/accounts/sessions.ts). */
  sessionId: string;
  /** When the access token expires (ms since the epoch): an event stream it opened closes then. */
  expiresAtMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null only on routes marked `config: { public: true }`. */
    actor: Actor | null;
  }
}

/**
 * The caller's user id. The authentication plugin has already answered 401 to an anonymous call
 * of a non-public route, so the throw only guards a public route that asks for a caller.
 */
export const actorOf = (request: FastifyRequest): string => {
  if (!request.actor) throw new AppError('UNAUTHORIZED', 'missing bearer token');
  return request.actor.userId;
};
