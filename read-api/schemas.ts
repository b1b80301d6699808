import { z } from 'zod';
import { fields, POSITION_FORMAT } from '../events/index.js';
import { presentedMedia } from './media-presenter.js';

// Query and path schemas of the read routes. Lists take ?cursor=&limit= (default 20, at most 100);
// every read takes ?minPosition= (read-your-writes): a position as a command answered it (the
// event store's token shape, events/position.ts), so that no string sorting past every position
// (`~`) can hold a request for the whole freshness wait.
const minPosition = z.string().max(100).regex(POSITION_FORMAT, 'a position as a command answered it').optional();

export const readQuery = z.strictObject({ minPosition });

export const pageQuery = z.strictObject({
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  minPosition,
});

/** The home feed's query: a page, and its order (chronological unless `ranked`: read-api/ranked-feed.ts). */
export const homeFeedQuery = pageQuery.extend({
  order: z.enum(['chronological', 'ranked']).default('chronological').describe('chronological (newest first, the default) or ranked (by engagement, recency and affinity; the cursor pins the order for 30 minutes)'),
});

export const commentsQuery = pageQuery.extend({ parentId: z.uuid().optional() });

/** Usernames are matched case-insensitively: they are stored lowercase. */
export const usernameParam = z.strictObject({
  username: z
    .string()
    .transform((raw) => raw.trim().toLowerCase())
    .pipe(fields.username),
});
export const postIdParam = z.strictObject({ postId: z.uuid() });
export const storyIdParam = z.strictObject({ storyId: z.uuid() });
export const collectionIdParam = z.strictObject({ collectionId: z.uuid() });

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A user wherever one appears (authors, likers, followers, search hits); `avatar` null when none is set. */
export const userSummary = z.object({ id: z.string(), username: z.string(), displayName: z.string(), avatar: presentedMedia.nullable() });

/** A profile page (GET /users/{username}). */
export const profile = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatar: presentedMedia.nullable(),
  bio: z.string(),
  private: z.boolean(),
  followerCount: z.number(),
  followingCount: z.number(),
  postCount: z.number(),
  /** Set by an operator (npm run admin -- verify): shown as a badge, ranked higher in user search. */
  verified: z.boolean(),
  relationship: z.object({
    following: z.boolean(),
    requested: z.boolean(),
    followedBy: z.boolean(),
    /** The caller mutes this account: its posts and stories stay out of the caller's home feed and tray. */
    muting: z.boolean(),
  }),
  /** "Followed by a, b and N others you follow": up to three names, and the count of all of them (none on one's own profile). */
  mutualFollowers: z.object({ usernames: z.array(z.string()), count: z.number() }),
});

export const hydratedPost = z.object({
  id: z.string(),
  author: userSummary,
  caption: z.string(),
  hashtags: z.array(z.string()),
  mentions: z.array(z.string()),
  media: z.array(presentedMedia),
  /** The place the post names (GET /locations/{id}/posts), absent when it names none. */
  location: z.object({ id: z.string(), name: z.string() }).optional(),
  createdAt: z.string(),
  likeCount: z.number(),
  commentCount: z.number(),
  shareCount: z.number(),
  likedByMe: z.boolean(),
  bookmarkedByMe: z.boolean(),
  /** Home feed only: the followed hashtag that brought the post; absent when it is the viewer's own or its author is followed. */
  via: z.object({ hashtag: z.string() }).optional(),
});
