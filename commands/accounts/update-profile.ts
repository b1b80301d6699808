import { userDecider } from '../../domain/user/user.js';
import { maxPosition, streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand } from '../handle-command.js';

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
  private?: boolean;
}

/** PUT of one's own profile: the profile fields and the privacy switch are separate facts. */
export const updateProfile = async (
  deps: CommandDeps,
  userId: string,
  changes: ProfileChanges,
  ctx: CommandContext,
): Promise<{ position: Position }> => {
  const stream = streams.user(userId);
  const positions: Position[] = [];
  if (changes.displayName !== undefined || changes.bio !== undefined) {
    const { displayName, bio } = changes;
    const result = await handleCommand(
      deps.store,
      stream,
      userDecider,
      () => ({ type: 'UpdateProfile', actorId: userId, userId, displayName, bio }),
      ctx,
    );
    positions.push(result.position);
  }
  if (changes.private !== undefined) {
    const isPrivate = changes.private;
    const result = await handleCommand(
      deps.store,
      stream,
      userDecider,
      () => ({ type: 'ChangePrivacy', actorId: userId, userId, private: isPrivate }),
      ctx,
    );
    positions.push(result.position);
  }
  return { position: maxPosition(...positions) };
};
