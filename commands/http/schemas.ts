import { z } from 'zod';
import type { MediaInput } from '../../domain/post/external-media.js';
import { mediaPurpose } from '../../events/media-events.js';
import {
  BIO_MAX_LENGTH,
  COLLECTION_NAME_MAX_LENGTH,
  DISPLAY_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  LOCATION_NAME_MAX_LENGTH,
  MAX_MEDIA_PER_POST,
  MAX_TAGS_PER_MEDIA,
  MAX_TAGS_PER_POST,
  MEDIA_DIMENSION_MAX,
  MEDIA_FILENAME_MAX_LENGTH,
  MEDIA_URL_MAX_LENGTH,
  MIN_MEDIA_PER_POST,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  TEXT_INPUT_MAX_LENGTH,
  USERNAME_PATTERN,
  USERNAME_RULE,
} from '../../kernel/limits.js';

// Request schemas of the command routes. Objects are strict: an unknown field is a 400, not
// silently dropped, so that a client's typo does not pass as success.

export const usernameParam = z.strictObject({
  username: z
    .string()
    .transform((raw) => raw.trim().toLowerCase())
    .pipe(z.string().regex(USERNAME_PATTERN, USERNAME_RULE)),
});
export const postIdParam = z.strictObject({ postId: z.uuid() });
export const commentIdParam = z.strictObject({ commentId: z.uuid() });
export const storyIdParam = z.strictObject({ storyId: z.uuid() });
export const collectionIdParam = z.strictObject({ collectionId: z.uuid() });
export const collectionPostParam = z.strictObject({ collectionId: z.uuid(), postId: z.uuid() });

// Free text that goes into events must be storable: PostgreSQL's jsonb takes neither U+0000 nor
// a lone surrogate, so such a string is a 400 here, before any write (a registration writes three
// places: refused at the third, it would keep the username reserved).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text);
const STORABLE_RULE = 'must not hold U+0000 or a lone surrogate';
const storableText = () => z.string().refine(storable, STORABLE_RULE);

// The profile limits are answered here (kernel/limits.ts). zod counts UTF-16 units, so an emoji
// counts twice here: stricter than the code points the event contract counts, never looser.
const displayName = storableText().trim().min(1).max(DISPLAY_NAME_MAX_LENGTH);
const bio = storableText().max(BIO_MAX_LENGTH);

export const registerBody = z.strictObject({
  username: usernameParam.shape.username,
  email: z.email().max(EMAIL_MAX_LENGTH),
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
  displayName: displayName.optional(),
});

// A login names the account by username or email, so either fits in an email's length.
const loginPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH);

export const loginBody = z.union([
  z.strictObject({ username: z.string().min(1).max(EMAIL_MAX_LENGTH), password: loginPassword }),
  z.strictObject({ email: z.string().min(1).max(EMAIL_MAX_LENGTH), password: loginPassword }),
]);

export const profileBody = z
  .strictObject({ displayName: displayName.optional(), bio: bio.optional(), private: z.boolean().optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one of displayName, bio, private' });

// A media item of a post or story: an upload of the author's ({ mediaId }, the way of the app),
// or a URL on a host of MEDIA_EXTERNAL_HOSTS (checked by domain/post/external-media.ts, 400
// MEDIA_HOST_NOT_ALLOWED). One strict object with a refinement, rather than a union, so that a
// bad field is named by its own path (media.0.url), not by the item's.
const mediaFields = {
  mediaId: z.uuid().optional(),
  url: z.url({ protocol: /^https?$/ }).max(MEDIA_URL_MAX_LENGTH).optional(),
  type: z.enum(['image', 'video']).optional(),
  width: z.number().int().positive().max(MEDIA_DIMENSION_MAX).optional(),
  height: z.number().int().positive().max(MEDIA_DIMENSION_MAX).optional(),
};
type MediaFields = { mediaId?: string | undefined; url?: string | undefined; type?: 'image' | 'video' | undefined; width?: number | undefined; height?: number | undefined };
const refineMedia = (item: MediaFields, context: z.RefinementCtx) => {
  if (item.mediaId !== undefined) {
    for (const field of ['url', 'type', 'width', 'height'] as const) {
      if (item[field] !== undefined) context.addIssue({ code: 'custom', path: [field], message: 'an upload ({ mediaId }) takes no other field' });
    }
    return;
  }
  if (item.url === undefined) context.addIssue({ code: 'custom', path: ['mediaId'], message: 'give mediaId (an upload), or url and type' });
  else if (item.type === undefined) context.addIssue({ code: 'custom', path: ['type'], message: 'an external URL needs its type: image or video' });
};
const mediaInputOf = (item: MediaFields): MediaInput =>
  item.mediaId !== undefined
    ? { mediaId: item.mediaId }
    : { url: item.url!, type: item.type!, ...(item.width !== undefined && { width: item.width }), ...(item.height !== undefined && { height: item.height }) };
const mediaItem = z.strictObject(mediaFields).superRefine(refineMedia).transform(mediaInputOf);

/** A person tagged on a post's photo or video: who, and where, as fractions of the item's width and height from its top left. */
export const tagInput = z.strictObject({ username: usernameParam.shape.username, x: z.number().min(0).max(1), y: z.number().min(0).max(1) });
export type TagInput = z.infer<typeof tagInput>;
/** A post's media item: a story's, with the people tagged on it (domain/post/tags.ts decides who may be). */
const postMediaItem = z
  .strictObject({ ...mediaFields, tags: z.array(tagInput).max(MAX_TAGS_PER_MEDIA).optional() })
  .superRefine(refineMedia)
  .transform((item) => ({ input: mediaInputOf(item), tags: item.tags ?? [] }));

// Caption and comment limits are domain rules (domain/post/caption.ts,
// domain/comment/comment-text.ts), answered with 400s naming the same field; HTTP only bounds the
// work (kernel/limits.ts).
const caption = storableText().max(TEXT_INPUT_MAX_LENGTH);

// A collection's name rule (trimmed, not blank, COLLECTION_NAME_MAX_LENGTH) is the domain's
// (domain/collection/collection.ts), answered as INVALID_COLLECTION_NAME; HTTP only bounds the work.
export const collectionBody = z.strictObject({ name: storableText().max(4 * COLLECTION_NAME_MAX_LENGTH) });
// The place a post names (domain/location/location.ts dedupes it into a location). Coordinates
// come both or neither: a lone one names no point, so it is a 400 naming the missing field.
export const placeInput = z
  .strictObject({
    name: storableText().trim().min(1).max(LOCATION_NAME_MAX_LENGTH),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
  })
  .superRefine((place, context) => {
    if (place.lat !== undefined && place.lon === undefined) context.addIssue({ code: 'custom', path: ['lon'], message: 'lat and lon come together: give lon too' });
    if (place.lon !== undefined && place.lat === undefined) context.addIssue({ code: 'custom', path: ['lat'], message: 'lat and lon come together: give lat too' });
  });

/** An item's tag count as the schema sees it, whether the item parsed (transformed) or not. */
const tagCountOf = (item: unknown): number => {
  const tags = typeof item === 'object' && item !== null ? (item as { tags?: unknown }).tags : undefined;
  return Array.isArray(tags) ? tags.length : 0;
};

export const createPostBody = z.strictObject({
  caption: caption.default(''),
  media: z
    .array(postMediaItem)
    .min(MIN_MEDIA_PER_POST)
    .max(MAX_MEDIA_PER_POST)
    // zod runs this even when an item failed (and so was not transformed): count only what is a list.
    .refine((items) => items.reduce((sum, item) => sum + tagCountOf(item), 0) <= MAX_TAGS_PER_POST, `at most ${MAX_TAGS_PER_POST} tags in a post`),
  location: placeInput.optional(),
});
export const editPostBody = z.strictObject({ caption });

export const commentBody = z.strictObject({
  text: storableText().min(1).max(TEXT_INPUT_MAX_LENGTH),
  parentCommentId: z.uuid().nullish(),
});

export const storyBody = z.strictObject({ media: mediaItem });
/** Where a post is shared to: a story, the one place there is (DMs may come). */
export const shareBody = z.strictObject({ to: z.literal('story') });

export const avatarBody = z.strictObject({ mediaId: z.uuid() });

// ---- Deleting one's account (commands/accounts/delete-account.ts): confirmed as disabling
// two-factor authentication is, by any password registration accepts and, when 2FA is on, a
// code: six digits of TOTP or a recovery code ("abcd-efgh-ijkl-mnop", with or without dashes).
export const deleteAccountBody = z.strictObject({ password: loginPassword, code: z.string().min(1).max(32).optional() });
/** When an account in its deletion grace period will be erased; null for an active one. */
export const accountDeletion = z.object({ eraseAfter: z.string() }).nullable();

// ---- Uploads (docs/architecture.md "Media"). The declared type and size are checked by the media
// aggregate's declaration rule (domain/media/media.ts checkUploadDeclaration), which answers
// MEDIA_TYPE_UNSUPPORTED or MEDIA_TOO_LARGE naming the field; the schema only bounds the shape.
export const uploadBody = z.strictObject({
  filename: z.string().min(1).max(MEDIA_FILENAME_MAX_LENGTH),
  contentType: z.string().min(1).max(255),
  size: z.number().int().positive(),
  purpose: mediaPurpose.default('post'),
});
export const mediaIdParam = z.strictObject({ mediaId: z.uuid() });

/** Commands answer with the ids they created and the global position of their last event. */
export const position = z.string();
