import fc from 'fast-check';
import type { Access } from '../../domain/access.js';
import type { CommentFacts } from '../../domain/comment/comment-facts.js';
import { assertPostUsable, type PostFacts } from '../../domain/post/post-facts.js';
import type { MediaItem } from '../../events/index.js';
import { MAX_MEDIA_PER_POST, MIN_MEDIA_PER_POST } from '../../kernel/limits.js';

// Building blocks for the content deciders' property tests: a few fixed people and things (so
// that random commands collide on the same ones), instants, media, caption text and facts.

export const ann = '0190a000-0000-7000-8000-000000000001';
export const bob = '0190a000-0000-7000-8000-000000000002';
export const cat = '0190a000-0000-7000-8000-000000000003';
export const dan = '0190a000-0000-7000-8000-000000000004';
export const people = [ann, bob, cat, dan] as const;
export const anyPerson = fc.constantFrom(...people);

export const postIds = ['0190b000-0000-7000-8000-000000000001', '0190b000-0000-7000-8000-000000000002', '0190b000-0000-7000-8000-000000000003'] as const;
export const anyPostId = fc.constantFrom(...postIds);

const from = Date.parse('2025-01-01T00:00:00.000Z');
const to = Date.parse('2025-01-08T00:00:00.000Z');
/** Instants in one week, so that random times land before and after each other's deadlines. */
export const anyInstant = fc.integer({ min: from, max: to }).map((ms) => new Date(ms).toISOString());

export const anyAccess = fc.constantFrom<Access>('allowed', 'blocked', 'private');

export const anyMediaItem: fc.Arbitrary<MediaItem> = fc.oneof(
  fc.record({ url: fc.constantFrom('media/a.jpg', 'media/b.mp4', 'https://cdn.example/c.png'), type: fc.constantFrom('image', 'video') }),
  fc.record({
    url: fc.constantFrom('media/d.jpg', 'media/e.mp4'),
    type: fc.constantFrom('image', 'video'),
    width: fc.integer({ min: 1, max: 4096 }),
    height: fc.integer({ min: 1, max: 4096 }),
  }),
);

/** 1 to 10 media items: the counts the HTTP schema lets through to the post decider (kernel/limits.ts). */
export const anyMediaList = fc.array(anyMediaItem, { minLength: MIN_MEDIA_PER_POST, maxLength: MAX_MEDIA_PER_POST });

const word = fc.constantFrom('sunset', 'Beach', 'café', 'naïve', '東京', 'día', 'x_y', '2025', '🌅', '🇫🇷', 'a.b');
const handle = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
const token = fc.oneof(
  { weight: 4, arbitrary: word },
  { weight: 2, arbitrary: word.map((w) => `#${w}`) },
  { weight: 2, arbitrary: handle.map((h) => `@${h}`) },
  { weight: 1, arbitrary: fc.constantFrom('a@b.com', '@Ann.', '#', '@', '  ', '\n') },
);

/** Caption-like text of words, hashtags, mentions, emails and stray symbols, within every limit. */
export const anyShortText = fc.array(token, { maxLength: 15 }).map((tokens) => tokens.join(' '));

export const anyPostFacts: fc.Arbitrary<PostFacts> = fc.oneof(
  fc.constant({ status: 'missing' as const }),
  fc.record({ status: fc.constant('deleted' as const), authorId: anyPerson }),
  fc.record({ status: fc.constant('active' as const), authorId: anyPerson, access: anyAccess }),
);

export const anyCommentFacts = (postId: fc.Arbitrary<string>): fc.Arbitrary<CommentFacts> =>
  fc.oneof(
    fc.constant({ status: 'missing' as const }),
    fc.constant({ status: 'deleted' as const }),
    fc.record({ status: fc.constant('active' as const), postId }),
  );

/** Whether a like, comment or bookmark on a post with these facts gets past the post checks. */
export const isUsablePost = (facts: PostFacts): boolean => {
  try {
    assertPostUsable(facts);
    return true;
  } catch {
    return false;
  }
};
