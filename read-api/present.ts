import type { CommentView, HydratedPost, UserSummary } from '../projections/profiles/profiles-reader.js';
import type { ReadDeps } from './deps.js';
import type { PresentedMedia } from './media-presenter.js';

// What the routes answer for the read models' users, posts, comments and stories: their stored
// media items (storage keys) made into URLs by the media URL rule (read-api/media-presenter.ts),
// each under its owner's privacy: a private account's avatar and media get short-lived signed URLs.
// No query: the read models' rows carry the items and the owner's privacy flag, and the presenter
// caches the signed URLs of a window.

export type PresentedUser<U extends UserSummary = UserSummary> = Omit<U, 'avatar'> & { avatar: PresentedMedia | null };
export type PresentedPost = Omit<HydratedPost, 'author' | 'media'> & { author: PresentedUser; media: PresentedMedia[] };

export const presentUser = async <U extends UserSummary>(deps: Pick<ReadDeps, 'media'>, user: U): Promise<PresentedUser<U>> => ({
  ...user,
  avatar: user.avatar ? await deps.media.presentOne(user.avatar, user) : null,
});

export const presentUsers = <U extends UserSummary>(deps: Pick<ReadDeps, 'media'>, users: readonly U[]): Promise<PresentedUser<U>[]> =>
  Promise.all(users.map((user) => presentUser(deps, user)));

export const presentPost = async (deps: Pick<ReadDeps, 'media'>, post: HydratedPost): Promise<PresentedPost> => {
  const [author, media] = await Promise.all([presentUser(deps, post.author), deps.media.present(post.media, post.author)]);
  return { ...post, author, media };
};

export const presentPosts = (deps: Pick<ReadDeps, 'media'>, posts: readonly HydratedPost[]): Promise<PresentedPost[]> =>
  Promise.all(posts.map((post) => presentPost(deps, post)));

export const presentComments = (deps: Pick<ReadDeps, 'media'>, comments: readonly CommentView[]) =>
  Promise.all(comments.map(async (comment) => ({ ...comment, author: await presentUser(deps, comment.author) })));

/**
 * Notifications with their actors' avatars. The notifications read model holds names only; the
 * avatars come from the profiles read model, in one query for all the notifications given.
 */
export const presentNotifications = async <N extends { actors: readonly { id: string; username: string; displayName: string }[] }>(
  deps: Pick<ReadDeps, 'media' | 'profiles'>,
  notifications: readonly N[],
) => {
  const summaries = await deps.profiles.userSummaries([...new Set(notifications.flatMap((n) => n.actors.map((actor) => actor.id)))]);
  return Promise.all(
    notifications.map(async (n) => ({
      ...n,
      actors: await Promise.all(
        n.actors.map(async (actor) => {
          const summary = summaries.get(actor.id);
          return summary ? presentUser(deps, { ...summary, ...actor }) : { ...actor, avatar: null };
        }),
      ),
    })),
  );
};

/** A page with its items presented. */
export const presentPage = async <T, P>(page: { items: T[]; nextCursor: string | null }, present: (items: T[]) => Promise<P[]>) => ({
  items: await present(page.items),
  nextCursor: page.nextCursor,
});
