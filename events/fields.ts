import { z } from 'zod';
import { codePointLength, USERNAME_PATTERN, USERNAME_RULE } from '../kernel/limits.js';

// Field schemas shared by the event contracts. Ids are UUIDs (the write side makes UUIDv7s);
// times are ISO-8601 strings in UTC so that they survive JSON unchanged.
export const id = z.uuid();
export const timestamp = z.iso.datetime();
export const username = z.string().regex(USERNAME_PATTERN, USERNAME_RULE);
/** Text of at most `max` characters, counted as a reader counts them (an emoji is one). */
export const textOfAtMost = (max: number) =>
  z.string().refine((text) => codePointLength(text) <= max, { message: `at most ${max} characters` });

/** A stored rendition: one size in one format. `key` is the object's storage key, never a URL. */
export const mediaVariant = z.object({
  name: z.string().min(1),
  key: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  contentType: z.string().min(1),
  size: z.number().int().nonnegative(),
});
export type MediaVariant = z.infer<typeof mediaVariant>;

/** What processing found and made: what a post, story or avatar copies when it attaches the media. */
export const processedMedia = z.object({
  type: z.enum(['image', 'video']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  durationMs: z.number().int().positive().optional(),
  blurhash: z.string().min(6),
  /** `#rrggbb`, shown while the first variant loads. */
  dominantColor: z.string().regex(/^#[0-9a-f]{6}$/),
  /** The content type the bytes turned out to be (never the declared one). */
  detectedType: z.string().min(1),
  variants: z.array(mediaVariant).min(1),
});
export type ProcessedMedia = z.infer<typeof processedMedia>;

/**
 * A media item of a post or story. Either an upload that was processed (it carries its storage
 * keys; the read path signs URLs when it answers), or a URL on an allowed external host
 * (MEDIA_EXTERNAL_HOSTS) and every post made before uploads existed, which the read path passes on.
 */
export const uploadedMediaItem = z.object({ mediaId: id, ...processedMedia.shape });
export type UploadedMediaItem = z.infer<typeof uploadedMediaItem>;

export const externalMediaItem = z.object({
  url: z.string().min(1),
  type: z.enum(['image', 'video']),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type ExternalMediaItem = z.infer<typeof externalMediaItem>;

export const mediaItem = z.union([uploadedMediaItem, externalMediaItem]);
export type MediaItem = z.infer<typeof mediaItem>;
export const isUploadedMedia = (item: MediaItem): item is UploadedMediaItem => 'mediaId' in item;
