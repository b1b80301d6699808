import type { ReadDeps } from './deps.js';
import type { ContentAccess } from '../kernel/access.js';
import { forbidden, notFound, type AppError } from '../kernel/errors.js';

// The read path enforces privacy on its own, whatever a projection still holds (docs/architecture.md
// "Read path"): a blocked user is answered as if the account did not exist, a private account's
// content is refused to non-followers, and deleted posts are never served.

/** Content of an author that a viewer reads as missing: a block stands between them, or no such (listed) author. */
const hidden = (access: ContentAccess) => access === 'blocked' || access === 'unknown';
const noUser = (username: string) => notFound('USER_NOT_FOUND', `no user named ${username}`);

/**
 * The profile named, unless it does not exist, a block stands between the two users, or it is
 * not listed (deleting or erased) and the viewer is not its owner: canSee's 'unknown'.
 */
export const visibleUser = async (deps: ReadDeps, viewerId: string, username: string) => {
  const user = await deps.profiles.userByUsername(username);
  if (!user || hidden(await deps.profiles.canSee(viewerId, user.id))) throw noUser(username);
  return user;
};

/** visibleUser(), with the viewer's relationship to the user, in one query (the profile page). */
export const visibleProfile = async (deps: ReadDeps, viewerId: string, username: string) => {
  const found = await deps.profiles.profileFor(viewerId, username);
  if (!found || hidden(found.access)) throw noUser(username);
  return found;
};

/** visibleProfile() from the card cache (read-api/card-cache.ts): the profile's JSON without its relationship. */
export const visibleProfileCard = async (deps: ReadDeps, viewerId: string, username: string, readThrough: boolean) => {
  const found = await deps.cards.profileFor(viewerId, username, { readThrough });
  if (!found || hidden(found.access)) throw noUser(username);
  return found;
};

/**
 * Refuses content the viewer's `access` to its author does not allow. A block answers as
 * `missing` does, the error the route gives for content that does not exist, so that the two
 * cannot be told apart.
 */
export const refuseUnlessAllowed = (access: ContentAccess, what = 'content', missing?: () => AppError): void => {
  if (hidden(access)) throw missing?.() ?? notFound('NOT_FOUND', `${what} not found`);
  if (access === 'private') throw forbidden('PRIVATE_ACCOUNT', `this account is private: follow it to see its ${what}`);
};

/** refuseUnlessAllowed() for content of `authorId`, asking canSee. */
export const assertCanSeeContent = async (deps: ReadDeps, viewerId: string, authorId: string, what = 'content', missing?: () => AppError) =>
  refuseUnlessAllowed(await deps.profiles.canSee(viewerId, authorId), what, missing);

/** Keeps only the items whose author the viewer may see, in one query for the whole page. */
export const onlyVisible = async <T extends { author: { id: string } }>(deps: ReadDeps, viewerId: string, items: T[]): Promise<T[]> => {
  const authors = [...new Set(items.map((item) => item.author.id))];
  const visible = await deps.profiles.visibleAuthors(viewerId, authors);
  return items.filter((item) => visible.has(item.author.id));
};

/** A page of users without those a block stands between with the viewer (they read as unknown). */
export const withoutBlocked = async <T extends { id: string }>(
  deps: ReadDeps,
  viewerId: string,
  page: { items: T[]; nextCursor: string | null },
): Promise<{ items: T[]; nextCursor: string | null }> => {
  const unblocked = await deps.profiles.unblockedAmong(viewerId, page.items.map((user) => user.id));
  return { items: page.items.filter((user) => unblocked.has(user.id)), nextCursor: page.nextCursor };
};
