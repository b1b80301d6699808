import type { UploadedMediaItem } from '../../events/index.js';
import type { EventsOf } from '../../events/registry.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { AppError, conflict, forbidden, notFound } from '../../kernel/errors.js';
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

/**
 * Starts the grace period: the handler has checked the password and computes `eraseAfter` as now
 * plus ACCOUNT_DELETION_GRACE (the decider has no clock and no settings).
 */
export interface RequestAccountDeletion {
  type: 'RequestAccountDeletion';
  actorId: string;
  userId: string;
  now: string;
  eraseAfter: string;
}

/** Ends the grace period: the account is back as it was. Refused once the grace is over. */
export interface RestoreAccount {
  type: 'RestoreAccount';
  actorId: string;
  userId: string;
  now: string;
}

/**
 * The erasure worker's last step, once everything the person made is ended and their personal-data
 * key destroyed (workers/erasure). Only after the grace period.
 */
export interface EraseAccount {
  type: 'EraseAccount';
  userId: string;
  now: string;
}

/**
 * An operator's decision (npm run admin -- verify / unverify), not the owner's: no actor to check.
 * Only an active account gets or loses the badge; setting what it already has changes nothing.
 */
export interface SetVerified {
  type: 'SetVerified';
  userId: string;
  verified: boolean;
  now: string;
}

export type UserCommand = RegisterUser | UpdateProfile | ChangePrivacy | SetAvatar | RequestAccountDeletion | RestoreAccount | EraseAccount | SetVerified;

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
  /** The operator's badge (SetVerified). */
  verified: boolean;
}

/**
 * In its grace period: hidden from everyone else (the write side answers as for an unknown user,
 * the read side shows nothing of it), able to log in and restore, and nothing more.
 */
export interface DeletingUser extends Omit<ActiveUser, 'status'> {
  status: 'deleting';
  eraseAfter: string;
}

/** Erased: the id stays (the log names it), nothing else of the person does. */
export interface ErasedUser {
  status: 'erased';
  userId: string;
}

/** Stream user-{id}. */
export type UserState = { status: 'none' } | ActiveUser | DeletingUser | ErasedUser;

// The stream grows with profile, privacy and avatar changes: snapshotted (domain/decider.ts). Bump the key when UserState changes.
const snapshot: SnapshotPolicy = { key: 'user.v3' };

// ---- Events

export type UserEvent = EventsOf<
  | 'UserRegistered'
  | 'ProfileUpdated'
  | 'PrivacyChanged'
  | 'AvatarChanged'
  | 'AccountDeletionRequested'
  | 'AccountRestored'
  | 'AccountErased'
  | 'VerifiedChanged'
>;

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
    case 'RequestAccountDeletion':
      return requestDeletion(command, state);
    case 'RestoreAccount':
      return restore(command, state);
    case 'EraseAccount':
      return erase(command, state);
    case 'SetVerified':
      return setVerified(command, state);
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

/** The owner of an account in its grace period may restore it and nothing else (commands/registered-actor.ts too). */
export const deletionPending = () =>
  new AppError('ACCOUNT_DELETION_PENDING', 'This account is scheduled for deletion; restore it (POST /api/v1/users/{username}/restore) to use it');

/** Only the owner edits a profile; unknown users (and hidden or erased ones) are reported before ownership. */
const ownedBy = (actorId: string, state: UserState): ActiveUser => {
  if (state.status === 'deleting' && state.userId === actorId) throw deletionPending();
  if (state.status !== 'active') throw userNotFound();
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

/** The owner of an account in its grace period, or of an erased one: the same refusal as for a stranger's. */
const ownerOf = (actorId: string, state: UserState): ActiveUser | DeletingUser => {
  if (state.status !== 'active' && state.status !== 'deleting') throw userNotFound();
  if (state.userId !== actorId) throw forbidden('NOT_OWNER', 'Only the account owner may change it');
  return state;
};

// A second request during the grace period changes nothing (its deadline stays the first one's).
const requestDeletion = (command: RequestAccountDeletion, state: UserState): UserEvent[] => {
  const user = ownerOf(command.actorId, state);
  if (user.status === 'deleting') return [];
  return [{ type: 'AccountDeletionRequested', data: { userId: user.userId, requestedAt: command.now, eraseAfter: command.eraseAfter } }];
};

// Restoring an account that is not being deleted is the wish already granted (a retry). Once the
// grace is over the worker may have begun ending the person's content, so restoring is refused.
const restore = (command: RestoreAccount, state: UserState): UserEvent[] => {
  const user = ownerOf(command.actorId, state);
  if (user.status === 'active') return [];
  if (Date.parse(command.now) >= Date.parse(user.eraseAfter)) {
    throw new AppError('ACCOUNT_ERASURE_STARTED', 'The grace period is over; this account is being erased');
  }
  return [{ type: 'AccountRestored', data: { userId: user.userId, restoredAt: command.now } }];
};

// Only an account whose grace period is over is erased; erasing it again changes nothing.
const erase = (command: EraseAccount, state: UserState): UserEvent[] => {
  if (state.status === 'erased') return [];
  if (state.status !== 'deleting') throw conflict('ACCOUNT_NOT_DELETING', 'Only an account in its deletion grace period is erased');
  if (Date.parse(command.now) < Date.parse(state.eraseAfter)) {
    throw conflict('ACCOUNT_NOT_DELETING', 'The grace period of this account is not over');
  }
  return [{ type: 'AccountErased', data: { userId: state.userId, erasedAt: command.now } }];
};

// An account in its grace period, or erased, is unknown here as everywhere (its badge is moot).
const setVerified = (command: SetVerified, state: UserState): UserEvent[] => {
  if (state.status !== 'active') throw userNotFound();
  if (state.verified === command.verified) return [];
  return [{ type: 'VerifiedChanged', data: { userId: state.userId, verified: command.verified, changedAt: command.now } }];
};

// ---- Transition

export const userTransition = (state: UserState, event: UserEvent): UserState | null => {
  switch (event.type) {
    case 'UserRegistered': {
      if (state.status !== 'none') return null;
      const { userId, username, displayName } = event.data;
      return { status: 'active', userId, username, displayName, bio: '', private: false, avatarId: null, verified: false };
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
    case 'AccountDeletionRequested':
      return state.status === 'active' ? { ...state, status: 'deleting', eraseAfter: event.data.eraseAfter } : null;
    case 'AccountRestored': {
      if (state.status !== 'deleting') return null;
      const { eraseAfter: _ended, ...rest } = state;
      return { ...rest, status: 'active' };
    }
    case 'AccountErased':
      return state.status === 'deleting' ? { status: 'erased', userId: state.userId } : null;
    case 'VerifiedChanged':
      return state.status === 'active' ? { ...state, verified: event.data.verified } : null;
  }
};

export const { evolve: evolveUser, canApply: canApplyUserEvent } = fromTransition(userTransition);

const initialState = (): UserState => ({ status: 'none' });

export const userDecider: Decider<UserCommand, UserState, UserEvent> = { decide: decideUser, evolve: evolveUser, initialState, snapshot };
