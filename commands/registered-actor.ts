import type { EventStore } from '../events/index.js';
import { AppError } from '../kernel/errors.js';
import { loadUser } from './facts.js';

/**
 * Refuses a caller whose account does not exist: a token for a user id with no registered user (a
 * registration that stopped half-way, before login refused those; register.ts, login.ts). Asked by
 * the commands that put something in front of others (posts, comments, stories, follows, likes,
 * bookmarks, story views); an upload is private until a post, story or avatar takes it, and undoing
 * and deleting need no account to clean up. One load of
 * the caller's user stream (bounded by its snapshot).
 */
export const assertRegisteredActor = async (store: EventStore, actorId: string): Promise<void> => {
  if ((await loadUser(store, actorId)).status !== 'active') throw new AppError('UNAUTHORIZED', 'this token names no registered account');
};
