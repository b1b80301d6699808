import type { EventsOf } from '../../events/registry.js';

/** Stream username-{lowercased}: who holds the name, if anyone. */
export interface UsernameState {
  holder: string | null;
}

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

export type UsernameEvent = EventsOf<'UsernameReserved' | 'UsernameReleased'>;
