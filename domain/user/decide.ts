import { conflict, forbidden, notFound } from '../errors.js';
import { parseUsername } from '../username/username.js';
import { assertProfileFields } from './profile-limits.js';
import type { ActiveUser, ChangePrivacy, RegisterUser, UpdateProfile, UserCommand, UserEvent, UserState } from './types.js';

export const decideUser = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'RegisterUser':
      return register(command, state);
    case 'UpdateProfile':
      return updateProfile(command, ownedBy(command.actorId, state));
    case 'ChangePrivacy':
      return changePrivacy(command, ownedBy(command.actorId, state));
  }
};

const register = (command: RegisterUser, state: UserState): UserEvent[] => {
  if (state.status !== 'none') throw conflict('USER_EXISTS', 'This user is already registered');
  const username = parseUsername(command.username);
  assertProfileFields({ displayName: command.displayName });
  const { userId, displayName, now } = command;
  return [{ type: 'UserRegistered', data: { userId, username, displayName, registeredAt: now } }];
};

/** Only the owner edits a profile; unknown users are reported before ownership. */
const ownedBy = (actorId: string, state: UserState): ActiveUser => {
  if (state.status === 'none') throw notFound('USER_NOT_FOUND', 'No such user');
  if (state.userId !== actorId) throw forbidden('NOT_OWNER', 'Only the account owner may change it');
  return state;
};

// Only the fields that differ from the current profile go into the event, so a form saved
// unchanged appends nothing and projections see only real changes.
const updateProfile = (command: UpdateProfile, user: ActiveUser): UserEvent[] => {
  assertProfileFields(command);
  const changed: { displayName?: string; bio?: string } = {};
  if (command.displayName !== undefined && command.displayName !== user.displayName) changed.displayName = command.displayName;
  if (command.bio !== undefined && command.bio !== user.bio) changed.bio = command.bio;
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'ProfileUpdated', data: { userId: user.userId, ...changed } }];
};

const changePrivacy = (command: ChangePrivacy, user: ActiveUser): UserEvent[] =>
  command.private === user.private ? [] : [{ type: 'PrivacyChanged', data: { userId: user.userId, private: command.private } }];
