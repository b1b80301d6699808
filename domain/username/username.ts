import type { EventsOf } from '../../events/registry.js';
import { USERNAME_MAX_LENGTH, USERNAME_PATTERN } from '../../kernel/limits.js';
import { fromTransition, unhandled, type Decider, type SnapshotPolicy } from '../decider.js';
import { conflict, invalid } from '../../kernel/errors.js';

// The username field rule and the reservation that keeps usernames unique, in one file: the
// reservation stream is named after the normalized username.

// ---- The field rule (its shape is declared in kernel/limits.ts)

// Usernames are case-insensitive, so they are stored (and their reservation streams named) lowercased.
export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export const isValidUsername = (normalized: string): boolean => USERNAME_PATTERN.test(normalized);

/**
 * Names no account may take: each is a word the routes use in a username's place (`/users/me/...`,
 * `/posts/{id}/tags/me`), so an account holding it could not be reached by its name there (its
 * author could not untag it). Checked at reservation only: a name held before stays its holder's.
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(['me']);

/** The normalized username, or an INVALID_USERNAME (or USERNAME_RESERVED) error naming the field. */
export const parseUsername = (raw: string): string => {
  const username = normalizeUsername(raw);
  if (!isValidUsername(username)) {
    throw invalid('INVALID_USERNAME', `A username has 1 to ${USERNAME_MAX_LENGTH} letters, digits, periods or underscores`, [
      { path: 'username', message: `must match ${USERNAME_PATTERN.source}` },
    ]);
  }
  if (RESERVED_USERNAMES.has(username)) throw invalid('USERNAME_RESERVED', `"${username}" is a word the API uses in a username's place`, [{ path: 'username', message: 'reserved' }]);
  return username;
};

// ---- Commands

export interface ReserveUsername {
  type: 'ReserveUsername';
  username: string;
  userId: string;
}

export interface ReleaseUsername {
  type: 'ReleaseUsername';
  username: string;
  userId: string;
}

export type UsernameCommand = ReserveUsername | ReleaseUsername;

// ---- State

/** Stream username-{lowercased}: who holds the name, if anyone. */
export interface UsernameState {
  holder: string | null;
}

// The stream grows with reserve/release: snapshotted (domain/decider.ts). Bump the key when UsernameState changes.
const snapshot: SnapshotPolicy = { key: 'username.v1' };

// ---- Events

export type UsernameEvent = EventsOf<'UsernameReserved' | 'UsernameReleased'>;

// ---- Decide

export const decideUsername = (command: UsernameCommand, state: UsernameState): UsernameEvent[] => {
  switch (command.type) {
    case 'ReserveUsername':
      return reserve(command, state);
    case 'ReleaseUsername':
      return release(command, state);
    default:
      return unhandled(command);
  }
};

const reserve = (command: ReserveUsername, state: UsernameState): UsernameEvent[] => {
  const username = parseUsername(command.username);
  // Re-reserving for the same user happens when a registration is retried: not an error.
  if (state.holder === command.userId) return [];
  if (state.holder !== null) throw conflict('USERNAME_TAKEN', `The username ${username} is taken`);
  return [{ type: 'UsernameReserved', data: { username, userId: command.userId } }];
};

// Releasing a name one does not hold changes nothing (a retried rename, a stale request).
const release = (command: ReleaseUsername, state: UsernameState): UsernameEvent[] =>
  state.holder === command.userId
    ? [{ type: 'UsernameReleased', data: { username: normalizeUsername(command.username), userId: command.userId } }]
    : [];

// ---- Transition

export const usernameTransition = (state: UsernameState, event: UsernameEvent): UsernameState | null => {
  switch (event.type) {
    case 'UsernameReserved':
      return state.holder === null ? { holder: event.data.userId } : null;
    case 'UsernameReleased':
      return state.holder === event.data.userId ? { holder: null } : null;
  }
};

export const { evolve: evolveUsername, canApply: canApplyUsernameEvent } = fromTransition(usernameTransition);

const initialState = (): UsernameState => ({ holder: null });

export const usernameDecider: Decider<UsernameCommand, UsernameState, UsernameEvent> = {
  decide: decideUsername,
  evolve: evolveUsername,
  initialState,
  snapshot,
};
