export {
  CAPTION_MAX_LENGTH,
  MAX_HASHTAGS,
  MAX_MENTIONS,
  codePointLength,
  extractHashtags,
  extractMentions,
  parseCaption,
} from './caption.js';
export type { ParsedCaption } from './caption.js';
export { postDecider } from './decider.js';
export { canApplyPostEvent, postTransition } from './evolve.js';
export { MAX_MEDIA_PER_POST, MIN_MEDIA_PER_POST } from './media.js';
export { assertPostUsable, postFacts } from './post-facts.js';
export type { PostFacts } from './post-facts.js';
export type { CreatePost, DeletePost, EditCaption, PostCommand, PostEvent, PostState } from './types.js';
