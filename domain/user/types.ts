import type { EventsOf } from '../../events/registry.js';

export interface ActiveUser {
  status: 'active';
  userId: string;
  username: string;
  displayName: string;
  bio: string;
  private: boolean;
}

/** Stream user-{id}. */
export type UserState = { status: 'none' } | ActiveUser;

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

export type UserCommand = RegisterUser | UpdateProfile | ChangePrivacy;

export type UserEvent = EventsOf<'UserRegistered' | 'ProfileUpdated' | 'PrivacyChanged'>;
