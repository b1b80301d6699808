import { forbidden } from './errors.js';

// Who may see (and act on) someone's posts, stories and lists. Pure: the caller reads the
// facts (privacy, follow, blocks both ways) from wherever it stands, write side or read side.
export type Access = 'allowed' | 'blocked' | 'private';

export interface AccessFacts {
  actorId: string;
  ownerId: string;
  ownerIsPrivate: boolean;
  actorFollowsOwner: boolean;
  /** A block exists between actor and owner, in either direction. */
  blockedEitherWay: boolean;
}

export const accessTo = ({ actorId, ownerId, ownerIsPrivate, actorFollowsOwner, blockedEitherWay }: AccessFacts): Access => {
  if (actorId === ownerId) return 'allowed';
  // A block wins over everything else, including an old follow a projection may still hold.
  if (blockedEitherWay) return 'blocked';
  if (ownerIsPrivate && !actorFollowsOwner) return 'private';
  return 'allowed';
};

/** Throws 403 unless access is allowed; `what` names the thing, e.g. "this post". */
export const assertAccess = (access: Access, what: string): void => {
  switch (access) {
    case 'allowed':
      return;
    case 'blocked':
      throw forbidden('BLOCKED', `You cannot see or act on ${what}`);
    case 'private':
      throw forbidden('PRIVATE_ACCOUNT', `${capitalize(what)} belongs to a private account; follow it to see it`);
  }
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
