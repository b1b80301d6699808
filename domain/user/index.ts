export { userDecider } from './decider.js';
export { canApplyUserEvent, userTransition } from './evolve.js';
export { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from './profile-limits.js';
export type { ActiveUser, ChangePrivacy, RegisterUser, UpdateProfile, UserCommand, UserEvent, UserState } from './types.js';
