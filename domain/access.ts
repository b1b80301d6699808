import type { Access } from '../kernel/access.js';
import { forbidden } from '../kernel/errors.js';

// Who may see (and act on) someone's posts, stories and lists: the rule itself is
// kernel/access.ts (one table for the write and the read side); here is how the write side
// refuses a command it forbids.
export { accessTo, type Access, type AccessFacts } from '../kernel/access.js';

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
