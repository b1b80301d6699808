import { deletionPending, userDecider } from '../domain/user/user.js';
import { streams, type EventStore, type StreamGuard } from '../events/index.js';
import { AppError } from '../kernel/errors.js';
import { keepSnapshot, readStreamState } from './load-state.js';

/**
 * Refuses a caller whose account does not exist: a token for a user id with no registered user (a
 * registration that stopped half-way, before login refused those; register.ts, login.ts), or an
 * erased account, is 401; an account in its deletion grace period is 403 ACCOUNT_DELETION_PENDING
 * (its owner may restore it, and nothing more: docs/rules.md "Account deletion"). Asked by the
 * commands that put something in front of others (posts and caption edits, comments, stories,
 * follows and approved requests, blocks, likes, bookmarks, story views, upload requests); undoing
 * and deleting need no account to clean up (the erasure worker issues them as the person). One
 * load of the caller's user stream (bounded by its snapshot). Answers the guard (StreamGuard) of
 * what it saw: the user stream at the revision the account was found active at.
 */
export const assertRegisteredActor = async (store: EventStore, actorId: string): Promise<StreamGuard> => {
  const streamId = streams.user(actorId);
  const loaded = await readStreamState(store, streamId, userDecider);
  await keepSnapshot(store, streamId, userDecider, loaded);
  const seen = activeAccountsOf(store);
  seen.delete(actorId);
  if (loaded.state.status === 'deleting') throw deletionPending();
  if (loaded.state.status !== 'active') throw new AppError('UNAUTHORIZED', 'this token names no registered account');
  seen.set(actorId, loaded.revision);
  if (seen.size > MAX_ACTIVE_ACCOUNTS_KEPT) seen.delete(seen.keys().next().value!);
  return { streamId, revision: loaded.revision };
};

/**
 * assertRegisteredActor for a command that appends with the answer as a guard (`guards` of
 * commands/handle-command.ts): an account this process last saw active is not read again, its
 * guard is the revision it was seen at, and the append commits only if the user stream is still
 * there (events/event-store.ts StreamGuard). So the check costs no round trip, and it is no
 * weaker than a read: stronger, as nothing can land on the user stream between it and the commit.
 * A guard that moved is a conflict, and `fresh` (every attempt after the first) reads again.
 * Only active accounts are kept (ids and revisions, nothing personal): a refusal is always read.
 */
export const registeredActorGuard = async (store: EventStore, actorId: string, { fresh = false }: { fresh?: boolean } = {}): Promise<StreamGuard> => {
  const revision = fresh ? undefined : activeAccounts.get(store)?.get(actorId);
  return revision === undefined ? assertRegisteredActor(store, actorId) : { streamId: streams.user(actorId), revision };
};

// Per store (tests run many stores in one process, with the same user ids); the account seen
// longest ago goes first when full. 100,000 entries are a few megabytes.
const MAX_ACTIVE_ACCOUNTS_KEPT = 100_000;
const activeAccounts = new WeakMap<EventStore, Map<string, number>>();
const activeAccountsOf = (store: EventStore): Map<string, number> => {
  let seen = activeAccounts.get(store);
  if (!seen) activeAccounts.set(store, (seen = new Map()));
  return seen;
};
