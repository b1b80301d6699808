import { isHashtagLength } from './limits.js';

// What a hashtag is, for every layer: a caption's tags are extracted with it (domain/post/caption.ts),
// a tag named on its own (a route's `{tag}`: a follow, the hashtag page) is normalised with it.

/** The characters of a tag: letters and marks of any script (a combining accent belongs to its word), decimal digits, '_'. */
export const HASHTAG_WORD = '[\\p{L}\\p{M}\\p{Nd}_]+';

const WHOLE_HASHTAG = new RegExp(`^${HASHTAG_WORD}$`, 'u');

/**
 * A tag named on its own, with or without its '#', as a caption's extraction would have taken it:
 * lowercased, without '#'; null when no caption could carry it (kernel/limits.ts HASHTAG_MAX_LENGTH).
 */
export const normalizeHashtag = (raw: string): string | null => {
  const tag = raw.trim().replace(/^#/, '').toLowerCase();
  return WHOLE_HASHTAG.test(tag) && isHashtagLength(tag) ? tag : null;
};
