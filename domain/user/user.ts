import type { UploadedMediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { conflict, forbidden, notFound } from '../../kernel/errors.js';
import { parseUsername } from '../username/username.js';

// ---- Commands
// The display name and bio arrive within their limits: the HTTP schema refuses longer ones, and
// the event contract backstops it (kernel/limits.ts).

export interface RegisterUser {
  type: 'RegisterUser';
  userId: string;
  username: string;
  displayName: string;
  now: string;
}

export interface UpdateProfile {
  type: 'UpdateProfile';
  actorId: string;
  userId: string;
  displayName?: string;
  bio?: string;
}

export interface ChangePrivacy {
  type: 'ChangePrivacy';
  actorId: string;
  userId: string;
  private: boolean;
}

/**
 * The avatar is an upload of the owner's that the handler has already attached (purpose avatar,
 * target the user: commands/accounts/set-avatar.ts), or null to remove it.
 */
export interface SetAvatar {
  type: 'SetAvatar';
  actorId: string;
  userId: string;
  avatar: UploadedMediaItem | null;
  now: string;
}

export type UserCommand = RegisterUser | UpdateProfile | ChangePrivacy | SetAvatar;

// ---- State

export interface ActiveUser {
  status: 'active';
  userId: string;
  username: string;
  displayName: string;
  bio: string;
  private: boolean;
  /** The media id of the current avatar, or null. */
  avatarId: string | null;
}

/** Stream user-{id}. */
export type UserState = { status: 'none' } | ActiveUser;

// The stream grows with profile, privacy and avatar changes: snapshotted (domain/decider.ts). Bump the key when UserState changes.
const snapshot: SnapshotPolicy = { key: 'user.v1' };

// ---- Events

export type UserEvent = EventsOf<'UserRegistered' | 'ProfileUpdated' | 'PrivacyChanged' | 'AvatarChanged'>;

// ---- Decide

export const decideUser = (command: UserCommand, state: UserState): UserEvent[] => {
  switch (command.type) {
    case 'RegisterUser':
      return register(command, state);
    case 'UpdateProfile':
      return updateProfile(command, ownedBy(command.actorId, state));
    case 'ChangePrivacy':
      return changePrivacy(command, ownedBy(command.actorId, state));
    case 'SetAvatar':
      return setAvatar(command, ownedBy(command.actorId, state));
    default:
      return unhandled(command);
  }
};

const register = (command: RegisterUser, state: UserState): UserEvent[] => {
  if (state.status !== 'none') throw conflict('USER_EXISTS', 'This user is already registered');
  const username = parseUsername(command.username);
  const { userId, displayName, now } = command;
  return [{ type: 'UserRegistered', data: { userId, username, displayName, registeredAt: now } }];
};

/**
 * The answer for a user who is not there, and for one a block hides (domain/access.ts): the same
 * code and message, so a blocked account cannot tell a block from an unknown name.
 */
export const userNotFound = () => notFound('USER_NOT_FOUND', 'No such user');

/** Only the owner edits a profile; unknown users are reported before ownership. */
const ownedBy = (actorId: string, state: UserState): ActiveUser => {
  if (state.status === 'none') throw userNotFound();
  if (state.userId !== actorId) throw forbidden('NOT_OWNER', 'Only the account owner may change it');
  return state;
};

// Only the fields that differ from the current profile go into the event, so a form saved
// unchanged appends nothing and projections see only real changes.
const updateProfile = (command: UpdateProfile, user: ActiveUser): UserEvent[] => {
  const changed: { displayName?: string; bio?: string } = {};
  if (command.displayName !== undefined && command.displayName !== user.displayName) changed.displayName = command.displayName;
  if (command.bio !== undefined && command.bio !== user.bio) changed.bio = command.bio;
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'ProfileUpdated', data: { userId: user.userId, ...changed } }];
};

const changePrivacy = (command: ChangePrivacy, user: ActiveUser): UserEvent[] =>
  command.private === user.private ? [] : [{ type: 'PrivacyChanged', data: { userId: user.userId, private: command.private } }];

// Setting the avatar it already has, or removing none, is the same wish already granted (a retry).
const setAvatar = (command: SetAvatar, user: ActiveUser): UserEvent[] =>
  (command.avatar?.mediaId ?? null) === user.avatarId
    ? []
    : [{ type: 'AvatarChanged', data: { userId: user.userId, avatar: command.avatar, changedAt: command.now } }];

// ---- Transition

export const userTransition = (state: UserState, event: UserEvent): UserState | null => {
  switch (event.type) {
    case 'UserRegistered': {
      if (state.status !== 'none') return null;
      const { userId, username, displayName } = event.data;
      return { status: 'active', userId, username, displayName, bio: '', private: false, avatarId: null };
    }
    case 'ProfileUpdated': {
      if (state.status !== 'active') return null;
      const { displayName, bio } = event.data;
      return { ...state, displayName: displayName ?? state.displayName, bio: bio ?? state.bio };
    }
    case 'PrivacyChanged':
      return state.status === 'active' ? { ...state, private: event.data.private } : null;
    case 'AvatarChanged':
      return state.status === 'active' ? { ...state, avatarId: event.data.avatar?.mediaId ?? null } : null;
  }
};

export const { evolve: evolveUser, canApply: canApplyUserEvent } = fromTransition(userTransition);

const initialState = (): UserState => ({ status: 'none' });

export const userDecider: Decider<UserCommand, UserState, UserEvent> = { decide: decideUser, evolve: evolveUser, initialState, snapshot };
