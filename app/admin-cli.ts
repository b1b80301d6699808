import type { EventStore } from '../events/index.js';
import { setVerified } from '../commands/accounts/set-verified.js';
import { newId } from '../commands/command-context.js';
import { AppError } from '../kernel/errors.js';

// The operator's CLI (`npm run admin -- <command>`, docs in the README "Operator CLI"): decisions
// that belong to whoever runs the platform, not to any account, made through the same deciders
// and event store as the API's commands. Its events carry no actor (metadata.actorId null) and
// the correlation id it prints.

export const ADMIN_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `usage: npm run admin -- <command>
  verify <username>     give the account the verified badge (ranked higher in user search)
  unverify <username>   take it away
`;

export interface AdminIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Opens the platform's event store (app/admin-main.ts), closed when the command is done. */
  connect(): Promise<{ store: EventStore; close(): Promise<void> }>;
  now?: () => Date;
}

export const runAdminCli = async (args: readonly string[], io: AdminIo): Promise<number> => {
  const [command, username, ...rest] = args;
  if ((command !== 'verify' && command !== 'unverify') || !username || rest.length > 0) {
    io.stderr(USAGE);
    return ADMIN_EXIT.usage;
  }
  const { store, close } = await io.connect();
  try {
    const correlationId = newId();
    const ctx = { actorId: null, correlationId, now: (io.now?.() ?? new Date()).toISOString() };
    const { userId, changed, position } = await setVerified({ store }, { username, verified: command === 'verify' }, ctx);
    const state = command === 'verify' ? 'verified' : 'not verified';
    io.stdout(`${username}: ${changed ? `now ${state}` : `already ${state}`} (user ${userId}, position ${position}, correlation ${correlationId})\n`);
    return ADMIN_EXIT.ok;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    io.stderr(`${username}: ${error.message} (${error.code})\n`);
    return ADMIN_EXIT.failed;
  } finally {
    await close();
  }
};
