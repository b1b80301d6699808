import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookmarkDecider } from '../../../domain/bookmark/bookmark.js';
import { commentDecider } from '../../../domain/comment/comment.js';
import { likeDecider } from '../../../domain/like/like.js';
import { postDecider, type PostCommand, type PostState } from '../../../domain/post/post.js';
import { postFacts } from '../../../domain/post/post-facts.js';
import { anyAccess, anyInstant, anyMediaItem, anyPerson, anyShortText, postIds } from '../../support/content-arbitraries.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';

const postId = postIds[0];
const commentId = '0190c000-0000-7000-8000-000000000001';

/** A post's life that ends in its deletion: created, edited and deleted-attempted by anyone, then deleted by its author. */
const deletedPost: fc.Arbitrary<PostState> = fc
  .record({
    authorId: anyPerson,
    media: fc.array(anyMediaItem, { minLength: 1, maxLength: 10 }),
    created: anyInstant,
    edits: fc.array(fc.record({ actorId: anyPerson, caption: anyShortText, now: anyInstant, remove: fc.boolean() }), { maxLength: 8 }),
    deletedAt: anyInstant,
  })
  .map(({ authorId, media, created, edits, deletedAt }) => {
    const cmds: PostCommand[] = [
      { type: 'CreatePost', postId, authorId, caption: '', media, now: created },
      ...edits.map(({ actorId, caption, now, remove }): PostCommand =>
        remove ? { type: 'DeletePost', postId, actorId, now } : { type: 'EditCaption', postId, actorId, caption, now },
      ),
      { type: 'DeletePost', postId, actorId: authorId, now: deletedAt },
    ];
    return runCommands(postDecider, cmds).state;
  });

const refusal = (run: () => unknown) => {
  const error = domainErrorOf(run);
  return [error.status, error.code];
};

describe('a deleted post accepts no likes, comments or bookmarks (docs/rules.md)', () => {
  it('every like, comment and bookmark on a deleted post is refused with 422 POST_DELETED, whoever asks and whatever they did before', () => {
    fc.assert(
      fc.property(deletedPost, anyAccess, anyPerson, fc.boolean(), anyInstant, (post, access, userId, before, now) => {
        expect(post.status).toBe('deleted');
        const facts = postFacts(post, access);
        const like = { type: 'Like' as const, postId, userId, post: facts, now };
        const bookmark = { type: 'Bookmark' as const, postId, userId, post: facts, now };
        const comment = { type: 'AddComment' as const, commentId, postId, authorId: userId, text: 'nice', parentCommentId: null, post: facts, parent: null, now };
        expect(refusal(() => likeDecider.decide(like, { liked: before }))).toEqual([422, 'POST_DELETED']);
        expect(refusal(() => bookmarkDecider.decide(bookmark, { bookmarked: before }))).toEqual([422, 'POST_DELETED']);
        expect(refusal(() => commentDecider.decide(comment, commentDecider.initialState()))).toEqual([422, 'POST_DELETED']);
      }),
      { numRuns: 150 },
    );
  });
});
