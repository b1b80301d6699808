import { deletionPending } from '../domain/user/user.js';
import type { EventStore } from '../events/index.js';
import { AppError } from '../kernel/errors.js';
import { loadUser } from './facts.js';

/**
 * Refuses a caller whose account does not exist: a token for a user id with no registered user (a
 * registration that stopped half-way, before login refused those; register.ts, login.ts), or an
 * erased account, is 401; an account in its deletion grace period is 403 ACCOUNT_DELETION_PENDING
 * (its owner may restore it, and nothing more: docs/rules.md "Account deletion"). Asked by the
 * commands that put something in front of others (posts and caption edits, comments, stories,
 * follows and approved requests, blocks, likes, bookmarks, story views, upload requests); undoing
 * and deleting need no account to clean up (the erasure worker issues them as the person). One
 * load of the caller's user stream (bounded by its snapshot).
 */
export const assertRegisteredActor = async (store: EventStore, actorId: string): Promise<void> => {
  const user = await loadUser(store, actorId);
  if (user.status === 'deleting') throw deletionPending();
  if (user.status !== 'active') throw new AppError('UNAUTHORIZED', 'this token names no registered account');
};
