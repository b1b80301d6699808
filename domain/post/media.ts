import type { MediaItem } from '../../events/index.js';
import { invalid } from '../errors.js';

// A post is a single photo or video, or a carousel of up to ten.
export const MIN_MEDIA_PER_POST = 1;
export const MAX_MEDIA_PER_POST = 10;

export const assertMediaCount = (media: readonly MediaItem[]): void => {
  if (media.length >= MIN_MEDIA_PER_POST && media.length <= MAX_MEDIA_PER_POST) return;
  const message = `A post has ${MIN_MEDIA_PER_POST} to ${MAX_MEDIA_PER_POST} media items, this one ${media.length}`;
  throw invalid('MEDIA_COUNT', message, [{ path: 'media', message }]);
};
