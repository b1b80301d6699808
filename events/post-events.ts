import { z } from 'zod';
import { HASHTAG_MAX_LENGTH, isHashtagLength, MAX_MEDIA_PER_POST, MIN_MEDIA_PER_POST } from '../kernel/limits.js';
import { id, mediaItem, timestamp, username } from './fields.js';

// post-{postId}. Hashtags (lowercased, without '#') and mentions (usernames, without '@') are
// extracted from the caption by the domain, so that every read model agrees on them.
const captionFields = {
  caption: z.string(),
  // A backstop at append: the domain never extracts a longer tag (kernel/limits.ts).
  hashtags: z.array(z.string().refine(isHashtagLength, `a hashtag has at most ${HASHTAG_MAX_LENGTH} characters`)),
  mentions: z.array(username),
};

/** Version 2: a post carries a list of media items, a carousel (version 1 had a single `imageUrl`). */
export const PostCreated = z.object({
  postId: id,
  authorId: id,
  ...captionFields,
  media: z.array(mediaItem).min(MIN_MEDIA_PER_POST).max(MAX_MEDIA_PER_POST),
  createdAt: timestamp,
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
