import type { Access } from '../kernel/access.js';
import { forbidden, type AppError } from '../kernel/errors.js';

// Who may see (and act on) someone's posts, stories and lists: the rule itself is
// kernel/access.ts (one table for the write and the read side); here is how the write side
// refuses a command it forbids.
export { accessTo, type Access, type AccessFacts } from '../kernel/access.js';

/**
 * Throws unless access is allowed; `what` names the thing, e.g. "this post". A block, either way,
 * answers exactly as a missing thing (`missing()`: the same code and message as an unknown id), so
 * that neither side learns of the block, nor that the thing exists; private content the caller
 * may ask to follow is a plain 403.
 */
export const assertAccess = (access: Access, what: string, missing: () => AppError): void => {
  switch (access) {
    case 'allowed':
      return;
    case 'blocked':
      throw missing();
    case 'private':
      throw forbidden('PRIVATE_ACCOUNT', `${capitalize(what)} belongs to a private account; follow it to see it`);
  }
};

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
