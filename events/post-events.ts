import { z } from 'zod';
import { codePointLength, HASHTAG_MAX_LENGTH, isHashtagLength, LOCATION_NAME_MAX_LENGTH, MAX_MEDIA_PER_POST, MIN_MEDIA_PER_POST } from '../kernel/limits.js';
import { id, mediaItem, timestamp, username } from './fields.js';

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

/** Version 3: a post may name a place (`location`, absent when it names none). */
export const PostCreated = PostCreatedV2.extend({ location: postLocation.optional() });

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
