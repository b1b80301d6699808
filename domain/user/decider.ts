import type { Decider } from '../decider.js';
import { decideUser } from './decide.js';
import { evolveUser } from './evolve.js';
import type { UserCommand, UserEvent, UserState } from './types.js';

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  decide: decideUser,
  evolve: evolveUser,
  initialState: () => ({ status: 'none' }),
};
