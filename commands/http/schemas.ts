import { z } from 'zod';
import { USERNAME_PATTERN } from '../../domain/username/index.js';
import { CAPTION_MAX_LENGTH } from '../../domain/post/caption.js';

// Request schemas of the command routes. Objects are strict: an unknown field is a 400, not
// silently dropped, so that a client's typo does not pass as success.

export const usernameParam = z.strictObject({
  username: z
    .string()
    .transform((raw) => raw.trim().toLowerCase())
    .pipe(z.string().regex(USERNAME_PATTERN, 'a username is 1 to 30 letters, digits, periods or underscores')),
});
export const postIdParam = z.strictObject({ postId: z.uuid() });
export const commentIdParam = z.strictObject({ commentId: z.uuid() });
export const storyIdParam = z.strictObject({ storyId: z.uuid() });

// Instagram's limits: a name of 30 characters, a bio of 150.
const displayName = z.string().trim().min(1).max(30);
const bio = z.string().max(150);

export const registerBody = z.strictObject({
  username: usernameParam.shape.username,
  email: z.email().max(254),
  password: z.string().min(8).max(128),
  displayName: displayName.optional(),
});

export const loginBody = z.union([
  z.strictObject({ username: z.string().min(1).max(254), password: z.string().min(1).max(128) }),
  z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(128) }),
]);

export const profileBody = z
  .strictObject({ displayName: displayName.optional(), bio: bio.optional(), private: z.boolean().optional() })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one of displayName, bio, private' });

const mediaItem = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2048),
  type: z.enum(['image', 'video']),
  width: z.number().int().positive().max(16_384).optional(),
  height: z.number().int().positive().max(16_384).optional(),
});

// The caption's length is checked here for a quick 400; hashtag and mention limits are domain
// rules (domain/post/caption.ts) and come back as 400s with the same field path.
const caption = z.string().max(CAPTION_MAX_LENGTH * 2);

export const createPostBody = z.strictObject({
  caption: caption.default(''),
  media: z.array(mediaItem).min(1).max(10),
});
export const editPostBody = z.strictObject({ caption });

export const commentBody = z.strictObject({
  text: z.string().min(1).max(CAPTION_MAX_LENGTH * 2),
  parentCommentId: z.uuid().nullish(),
});

export const storyBody = z.strictObject({ media: mediaItem });

/** Commands answer with the ids they created and the global position of their last event. */
export const position = z.string();
