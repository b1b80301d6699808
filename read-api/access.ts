import type { ReadDeps } from './deps.js';
import { forbidden, notFound, type AppError } from '../kernel/errors.js';

// The read path enforces privacy on its own, whatever a projection still holds (docs/architecture.md
// "Read path"): a blocked user is answered as if the account did not exist, a private account's
// content is refused to non-followers, and deleted posts are never served.

/**
 * The profile named, unless it does not exist, a block stands between the two users, or it is
 * not listed (deleting or erased) and the viewer is not its owner: canSee's 'unknown'.
 */
export const visibleUser = async (deps: ReadDeps, viewerId: string, username: string) => {
  const user = await deps.profiles.userByUsername(username);
  if (!user) throw notFound('USER_NOT_FOUND', `no user named ${username}`);
  const access = await deps.profiles.canSee(viewerId, user.id);
  if (access === 'blocked' || access === 'unknown') throw notFound('USER_NOT_FOUND', `no user named ${username}`);
  return user;
};

/**
 * Refuses content of `authorId` that `viewerId` may not see. A block answers as `missing` does, the
 * error the route gives for content that does not exist, so that the two cannot be told apart.
 */
export const assertCanSeeContent = async (deps: ReadDeps, viewerId: string, authorId: string, what = 'content', missing?: () => AppError) => {
  const access = await deps.profiles.canSee(viewerId, authorId);
  if (access === 'blocked' || access === 'unknown') throw missing?.() ?? notFound('NOT_FOUND', `${what} not found`);
  if (access === 'private') throw forbidden('PRIVATE_ACCOUNT', `this account is private: follow it to see its ${what}`);
};

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
