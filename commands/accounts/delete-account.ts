import { userDecider } from '../../domain/user/user.js';
import { streams, type EventStore, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findOwnAccount, loadUser } from '../facts.js';
import { handleCommand } from '../handle-command.js';
import { confirmPasswordAndCode } from './two-factor.js';

// Deleting one's account, steps 1 and 3 of its lifecycle (docs/architecture.md "Account
// deletion"): the request starts a grace period (ACCOUNT_DELETION_GRACE) in which the account is
// hidden from everyone else and its owner may only log in and restore it; the erasure worker
// (workers/erasure) ends everything once the grace is over. The rules: domain/user/user.ts.

/** When an account in its grace period will be erased (login and GET /auth/me show it to its owner). */
export interface AccountDeletion {
  eraseAfter: string;
}

/** The deletion of the caller's account: its deadline while in the grace period, else null. */
export const accountDeletionOf = async (store: EventStore, userId: string): Promise<AccountDeletion | null> => {
  const user = await loadUser(store, userId);
  return user.status === 'deleting' ? { eraseAfter: user.eraseAfter } : null;
};

export interface DeletionRequest {
  actorId: string;
  /** The account to delete, as the route names it: the caller's own. */
  username: string;
  password: string;
  /** A TOTP or recovery code: required when the account has two-factor authentication on. */
  code?: string | undefined;
}

/**
 * DELETE /users/{username}: confirmed as disabling two-factor authentication is (the password, and a
 * code when 2FA is on), then AccountDeletionRequested with eraseAfter = now + the grace, then every
 * session of the account ends (as logout-all). A repeat during the grace changes nothing and
 * keeps the first deadline; it ends the sessions again.
 */
export const requestAccountDeletion = async (
  deps: CommandDeps,
  { actorId, username, password, code }: DeletionRequest,
  ctx: CommandContext,
): Promise<{ userId: string; username: string; status: 'deleting'; eraseAfter: string; position: Position }> => {
  await findOwnAccount(deps.store, actorId, username);
  await confirmPasswordAndCode(deps, { userId: actorId, password, code });
  const { position, state } = await handleCommand({
    store: deps.store,
    stream: streams.user(actorId),
    decider: userDecider,
    command: () => ({
      type: 'RequestAccountDeletion',
      actorId,
      userId: actorId,
      eraseAfter: new Date(Date.parse(ctx.now) + deps.accountDeletionGraceMs).toISOString(),
    }),
    ctx,
  });
  if (state.status !== 'deleting') throw new Error(`the account ${actorId} is ${state.status} after its deletion was requested`);
  await deps.sessions.revokeAll(actorId);
  return { userId: actorId, username: state.username, status: 'deleting', eraseAfter: state.eraseAfter, position };
};

/**
 * POST /users/{username}/restore: the owner ends the grace period (AccountRestored); the account
 * shows again as before. Restoring an active account is a no-op; after the grace it is refused
 * (ACCOUNT_ERASURE_STARTED).
 */
export const restoreAccount = async (
  deps: CommandDeps,
  { actorId, username }: { actorId: string; username: string },
  ctx: CommandContext,
): Promise<{ userId: string; username: string; status: 'active'; position: Position }> => {
  await findOwnAccount(deps.store, actorId, username);
  const { position, state } = await handleCommand({
    store: deps.store,
    stream: streams.user(actorId),
    decider: userDecider,
    command: () => ({ type: 'RestoreAccount', actorId, userId: actorId }),
    ctx,
  });
  if (state.status !== 'active') throw new Error(`the account ${actorId} is ${state.status} after it was restored`);
  return { userId: actorId, username: state.username, status: 'active', position };
};
