import { z } from 'zod';

// Field schemas shared by the event contracts. Ids are UUIDs (the write side makes UUIDv7s);
// times are ISO-8601 strings in UTC so that they survive JSON unchanged.
export const id = z.uuid();
export const timestamp = z.iso.datetime();
// Instagram's rule: 1 to 30 lowercase letters, digits, periods or underscores.
export const username = z.string().regex(/^[a-z0-9._]{1,30}$/, 'a username is 1 to 30 letters, digits, periods or underscores');

export const mediaItem = z.object({
  url: z.string().min(1),
  type: z.enum(['image', 'video']),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type MediaItem = z.infer<typeof mediaItem>;
