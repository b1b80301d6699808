import { conflict } from '../errors.js';
import type { UsernameCommand, UsernameEvent, UsernameState } from './types.js';
import { normalizeUsername, parseUsername } from './username.js';

export const decideUsername = (command: UsernameCommand, state: UsernameState): UsernameEvent[] => {
  switch (command.type) {
    case 'ReserveUsername': {
      const username = parseUsername(command.username);
      // Re-reserving for the same user happens when a registration is retried: not an error.
      if (state.holder === command.userId) return [];
      if (state.holder !== null) throw conflict('USERNAME_TAKEN', `The username ${username} is taken`);
      return [{ type: 'UsernameReserved', data: { username, userId: command.userId } }];
    }
    case 'ReleaseUsername':
      // Releasing a name one does not hold changes nothing (a retried rename, a stale request).
      if (state.holder !== command.userId) return [];
      return [{ type: 'UsernameReleased', data: { username: normalizeUsername(command.username), userId: command.userId } }];
  }
};
