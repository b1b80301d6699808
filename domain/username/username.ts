import { invalid } from '../errors.js';

// Instagram's rule: letters, digits, periods and underscores, at most 30 characters. Usernames
// are case-insensitive, so they are stored (and their reservation streams named) lowercased.
export const USERNAME_PATTERN = /^[a-z0-9._]{1,30}$/;

export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export const isValidUsername = (normalized: string): boolean => USERNAME_PATTERN.test(normalized);

/** The normalized username, or an INVALID_USERNAME error naming the field. */
export const parseUsername = (raw: string): string => {
  const username = normalizeUsername(raw);
  if (!isValidUsername(username)) {
    throw invalid('INVALID_USERNAME', 'A username has 1 to 30 letters, digits, periods or underscores', [
      { path: 'username', message: `must match ${USERNAME_PATTERN.source}` },
    ]);
  }
  return username;
};
