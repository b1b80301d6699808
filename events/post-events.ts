import { z } from 'zod';
import {
  codePointLength,
  HASHTAG_MAX_LENGTH,
  isHashtagLength,
  LOCATION_NAME_MAX_LENGTH,
  MAX_MEDIA_PER_POST,
  MAX_TAGS_PER_MEDIA,
  MAX_TAGS_PER_POST,
  MIN_MEDIA_PER_POST,
} from '../kernel/limits.js';
import { externalMediaItem, id, mediaItem, timestamp, uploadedMediaItem, username } from './fields.js';

// post-{postId}. Hashtags (lowercased, without '#') and mentions (usernames, without '@') are
// extracted from the caption by the domain, so that every read model agrees on them.
const captionFields = {
  caption: z.string(),
  // A backstop at append: the domain never extracts a longer tag (kernel/limits.ts).
  hashtags: z.array(z.string().refine(isHashtagLength, `a hashtag has at most ${HASHTAG_MAX_LENGTH} characters`)),
  mentions: z.array(username),
};

/**
 * The place a post names (domain/location/location.ts): the location id derived from the place,
 * the name as given (trimmed), and the coordinates on the place grid, both or neither.
 */
export const postLocation = z
  .object({
    id,
    name: z.string().refine((name) => name.length > 0 && codePointLength(name) <= LOCATION_NAME_MAX_LENGTH, `1 to ${LOCATION_NAME_MAX_LENGTH} characters`),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .refine((place) => (place.lat === undefined) === (place.lon === undefined), 'lat and lon come together');

export type PostLocation = z.infer<typeof postLocation>;

/** Version 2 (carousels: a list of media items) as it was before locations; read through the upcaster in upcasters.ts. */
export const PostCreatedV2 = z.object({
  postId: id,
  authorId: id,
  ...captionFields,
  media: z.array(mediaItem).min(MIN_MEDIA_PER_POST).max(MAX_MEDIA_PER_POST),
  createdAt: timestamp,
});

/**
 * A person tagged on a photo or video of a post (domain/post/tags.ts): their id, never their
 * username (names change; an erasure leaves the id meaningless), and where on the item, as
 * fractions of its width and height from the top left corner.
 */
export const mediaTag = z.object({ userId: id, x: z.number().min(0).max(1), y: z.number().min(0).max(1) });
export type MediaTag = z.infer<typeof mediaTag>;

const tags = { tags: z.array(mediaTag).min(1).max(MAX_TAGS_PER_MEDIA).optional() };
/** A post's media item: a story's or avatar's (fields.ts) with the people tagged on it, absent when none. */
export const postMediaItem = z.union([uploadedMediaItem.extend(tags), externalMediaItem.extend(tags)]);
export type PostMediaItem = z.infer<typeof postMediaItem>;

/**
 * Version 3: a post may name a place (`location`, absent when it names none). Its media items may
 * carry `tags` (optional: every stored v3 event still parses, so the version stays).
 */
export const PostCreated = PostCreatedV2.extend({
  media: z
    .array(postMediaItem)
    .min(MIN_MEDIA_PER_POST)
    .max(MAX_MEDIA_PER_POST)
    .refine((items) => items.reduce((sum, item) => sum + (item.tags?.length ?? 0), 0) <= MAX_TAGS_PER_POST, `at most ${MAX_TAGS_PER_POST} tags in a post`),
  location: postLocation.optional(),
});

/** The shape PostCreated had before carousels; read through the upcaster in upcasters.ts. */
export const PostCreatedV1 = z.object({
  postId: id,
  authorId: id,
  ...captionFields,
  imageUrl: z.string().min(1),
  createdAt: timestamp,
});

export const CaptionEdited = z.object({ postId: id, authorId: id, ...captionFields, editedAt: timestamp });
export const PostDeleted = z.object({ postId: id, authorId: id, deletedAt: timestamp });

/** The tagged person took themself off the post (or its author took them off): off every item of it. */
export const TagRemoved = z.object({ postId: id, authorId: id, userId: id, removedAt: timestamp });
