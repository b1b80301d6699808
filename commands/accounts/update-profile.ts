import { userDecider, type UserCommand } from '../../domain/user/user.js';
import { maxPosition, streams, type Position } from '../../events/index.js';
import type { CommandContext } from '../command-context.js';
import type { CommandDeps } from '../deps.js';
import { handleCommand, type BuildCommand } from '../handle-command.js';

/** The fields of one's own profile to change; those left out stay as they are. */
export interface ProfileUpdate {
  userId: string;
  displayName?: string;
  bio?: string;
  private?: boolean;
}

/** PUT of one's own profile: the profile fields and the privacy switch are separate facts. */
export const updateProfile = async (deps: CommandDeps, update: ProfileUpdate, ctx: CommandContext): Promise<{ position: Position }> => {
  const { userId, displayName, bio, private: isPrivate } = update;
  const onUserStream = async (command: BuildCommand<UserCommand>) =>
    (await handleCommand({ store: deps.store, stream: streams.user(userId), decider: userDecider, command, ctx })).position;
  const positions: Position[] = [];
  if (displayName !== undefined || bio !== undefined) {
    positions.push(await onUserStream(() => ({ type: 'UpdateProfile', actorId: userId, userId, displayName, bio })));
  }
  if (isPrivate !== undefined) {
    positions.push(await onUserStream(() => ({ type: 'ChangePrivacy', actorId: userId, userId, private: isPrivate })));
  }
  return { position: maxPosition(...positions) };
};
