export { usernameDecider } from './decider.js';
export { canApplyUsernameEvent, usernameTransition } from './evolve.js';
export { USERNAME_PATTERN, isValidUsername, normalizeUsername, parseUsername } from './username.js';
export type { ReleaseUsername, ReserveUsername, UsernameCommand, UsernameEvent, UsernameState } from './types.js';
