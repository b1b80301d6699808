import { CAPTION_MAX_LENGTH, codePointLength, isHashtagLength, MAX_HASHTAGS, MAX_MENTIONS, USERNAME_PATTERN } from '../../kernel/limits.js';
import { invalid, type CodeOfStatus } from '../../kernel/errors.js';
import { HASHTAG_WORD } from '../../kernel/hashtags.js';

// The caption's rules: its limits (kernel/limits.ts) are checked here, not over HTTP, because
// hashtags and mentions are counted once each, as extracted.

export interface ParsedCaption {
  caption: string;
  hashtags: string[];
  mentions: string[];
}

const unique = (items: readonly string[]): string[] => [...new Set(items)];

// Letters and marks of any script (a combining accent belongs to its word), decimal digits, '_'.
const HASHTAG = new RegExp(`#(${HASHTAG_WORD})`, 'gu');

/**
 * Hashtags without '#', lowercased, each once, in order of first appearance. A run longer than
 * HASHTAG_MAX_LENGTH (kernel/limits.ts) is not a hashtag, as on Instagram: it is neither cut
 * (which would name a tag its author did not write) nor refused; it stays caption text.
 */
export const extractHashtags = (text: string): string[] =>
  unique(
    [...text.matchAll(HASHTAG)]
      .map((match) => (match[1] ?? '').toLowerCase())
      .filter(isHashtagLength),
  );

// An '@' right after something that can end an email's local part is an address (a@b.com),
// not a mention. What follows the '@' is a mention only if it is a username (kernel/limits.ts).
const MENTION = /(?<![\p{L}\p{N}._%+-])@([A-Za-z0-9._]+)/gu;

/**
 * Mentioned usernames without '@', lowercased, each once, in order of first appearance.
 * Trailing periods are sentence punctuation ("thanks @alice."), and a run longer than a username
 * can be mentions nobody: cutting it to a username's length would notify a different account.
 */
export const extractMentions = (text: string): string[] =>
  unique(
    [...text.matchAll(MENTION)]
      .map((match) => (match[1] ?? '').replace(/\.+$/, ''))
      .map((name) => name.toLowerCase())
      .filter((name) => USERNAME_PATTERN.test(name)),
  );

const captionIssue = (code: CodeOfStatus<400>, message: string) => invalid(code, message, [{ path: 'caption', message }]);

/** The caption as stored (surrounding whitespace dropped) with its hashtags and mentions; throws past a limit. */
export const parseCaption = (text: string): ParsedCaption => {
  const caption = text.trim();
  const length = codePointLength(caption);
  if (length > CAPTION_MAX_LENGTH) {
    throw captionIssue('CAPTION_TOO_LONG', `A caption has at most ${CAPTION_MAX_LENGTH} characters, this one ${length}`);
  }
  const hashtags = extractHashtags(caption);
  if (hashtags.length > MAX_HASHTAGS) {
    throw captionIssue('TOO_MANY_HASHTAGS', `A caption has at most ${MAX_HASHTAGS} hashtags, this one ${hashtags.length}`);
  }
  const mentions = extractMentions(caption);
  if (mentions.length > MAX_MENTIONS) {
    throw captionIssue('TOO_MANY_MENTIONS', `A caption mentions at most ${MAX_MENTIONS} accounts, this one ${mentions.length}`);
  }
  return { caption, hashtags, mentions };
};
