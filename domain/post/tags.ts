import type { MediaItem, MediaTag, PostMediaItem } from '../../events/index.js';
import { invalid, notFound } from '../../kernel/errors.js';

// People tagged on a post's photos and videos (docs/rules.md "User tags"). The handler resolves
// each tagged username (commands/posts/posts.ts); the rules are here: an unknown account, and one
// a block stands between (either way) with the author, answer alike, 404 USER_NOT_FOUND naming the
// tag (the catalogue has no BLOCKED: a block never tells); one account is tagged once per item.
// Tagging yourself is allowed, and so is tagging a private account (Instagram allows both).
// The counts are bounded by the HTTP schema and the event contract (kernel/limits.ts).

/** One tag as the author asked for it, with what the handler learned of the username. */
export interface TagRequest {
  username: string;
  x: number;
  y: number;
  /** The active account holding the username, or null: none (or in its deletion grace, or erased). */
  userId: string | null;
  /** A block, either way, stands between the author and the tagged account. */
  blockedEitherWay: boolean;
}

/** The request field of tag `tag` of item `item`, for error details. */
export const tagPath = (item: number, tag: number) => `media.${item}.tags.${tag}.username`;

/**
 * The media items with their tags in place (ids only, no usernames), or the refusal of the first
 * tag that may not be: `tags[i]` are the tags of `media[i]` (missing or empty: none).
 */
export const taggedMedia = (media: readonly MediaItem[], tags: readonly (readonly TagRequest[])[] | undefined): PostMediaItem[] =>
  media.map((item, index) => {
    const requested = tags?.[index] ?? [];
    if (requested.length === 0) return item;
    const seen = new Set<string>();
    const kept = requested.map(({ userId, blockedEitherWay, x, y }, tag): MediaTag => {
      // The same answer, code, message and detail for both: a block never tells.
      if (userId === null || blockedEitherWay) throw notFound('USER_NOT_FOUND', 'No such user', [{ path: tagPath(index, tag), message: 'no such user' }]);
      if (seen.has(userId)) throw invalid('DUPLICATE_TAG', 'A person is tagged once per photo or video', [{ path: tagPath(index, tag), message: 'tagged already on this item' }]);
      seen.add(userId);
      return { userId, x, y };
    });
    return { ...item, tags: kept };
  });

/** Whether `userId` is tagged on any item. */
export const isTagged = (media: readonly PostMediaItem[], userId: string): boolean => media.some((item) => item.tags?.some((tag) => tag.userId === userId) === true);

/** The items with `userId` taken off every one (an item left with no tag carries none). */
export const withoutTag = (media: readonly PostMediaItem[], userId: string): PostMediaItem[] =>
  media.map((item) => {
    if (!item.tags?.some((tag) => tag.userId === userId)) return item;
    const { tags, ...rest } = item;
    const kept = tags.filter((tag) => tag.userId !== userId);
    return kept.length > 0 ? { ...rest, tags: kept } : rest;
  });
