import { z } from 'zod';
import { normalizeHashtag } from './hashtags.js';
import { HASHTAG_MAX_LENGTH, PATH_PARAM_MAX_LENGTH } from './limits.js';

/**
 * A hashtag named in a path, for every route that takes one (follow and unfollow, the tag as the
 * viewer stands to it, its posts): with or without its '#' (`%23Cats` and `cats` are one tag),
 * normalised as a caption's hashtags are (kernel/hashtags.ts normalizeHashtag); anything no
 * caption could carry is a 400 naming `tag`. Here, not in either HTTP layer, because both take it.
 */
export const hashtagParam = z.strictObject({
  tag: z
    .string()
    .max(PATH_PARAM_MAX_LENGTH)
    .transform((raw, context) => {
      const tag = normalizeHashtag(raw);
      if (tag === null) {
        context.addIssue({ code: 'custom', message: `letters, marks, digits and _ only, at most ${HASHTAG_MAX_LENGTH}` });
        return z.NEVER;
      }
      return tag;
    }),
});
