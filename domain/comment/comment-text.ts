import { codePointLength, COMMENT_MAX_LENGTH, MAX_MENTIONS } from '../../kernel/limits.js';
import { invalid, type CodeOfStatus } from '../../kernel/errors.js';
import { extractMentions } from '../post/caption.js';

const textIssue = (code: CodeOfStatus<400>, message: string) => invalid(code, message, [{ path: 'text', message }]);

/** The comment as stored (surrounding whitespace dropped) and the accounts it mentions; throws when it breaks a limit. */
export const parseCommentText = (raw: string): { text: string; mentions: string[] } => {
  const text = raw.trim();
  if (text.length === 0) throw textIssue('COMMENT_EMPTY', 'A comment needs some text');
  const length = codePointLength(text);
  if (length > COMMENT_MAX_LENGTH) {
    throw textIssue('COMMENT_TOO_LONG', `A comment has at most ${COMMENT_MAX_LENGTH} characters, this one ${length}`);
  }
  const mentions = extractMentions(text);
  if (mentions.length > MAX_MENTIONS) {
    throw textIssue('TOO_MANY_MENTIONS', `A comment mentions at most ${MAX_MENTIONS} accounts, this one ${mentions.length}`);
  }
  return { text, mentions };
};
