import type { Decider } from '../decider.js';
import { decideUsername } from './decide.js';
import { evolveUsername } from './evolve.js';
import type { UsernameCommand, UsernameEvent, UsernameState } from './types.js';

export const usernameDecider: Decider<UsernameCommand, UsernameState, UsernameEvent> = {
  decide: decideUsername,
  evolve: evolveUsername,
  initialState: () => ({ holder: null }),
};
