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

export const mediaItem = z.object({
  url: z.string().min(1),
  type: z.enum(['image', 'video']),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type MediaItem = z.infer<typeof mediaItem>;
