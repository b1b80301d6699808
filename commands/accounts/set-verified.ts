import { userDecider } from '../../domain/user/user.js';
import { streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { findUserByUsername } from '../facts.js';
import { handleCommand } from '../handle-command.js';

/** An operator gives an account the verified badge, or takes it away (npm run admin -- verify / unverify). */
export const setVerified = async (
  deps: Pick<CommandDeps, 'store'>,
  { username, verified }: { username: string; verified: boolean },
  ctx: CommandContext,
): Promise<{ userId: string; changed: boolean; position: Position }> => {
  const user = await findUserByUsername(deps.store, username.trim().toLowerCase());
  const result = await handleCommand({
    store: deps.store,
    stream: streams.user(user.userId),
    decider: userDecider,
    command: () => ({ type: 'SetVerified', userId: user.userId, verified }),
    ctx,
  });
  return { userId: user.userId, changed: result.appended > 0, position: result.position };
};
