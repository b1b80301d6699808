import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyCommentEvent, commentDecider, type CommentCommand } from '../../../domain/comment/comment.js';
import { anyCommentFacts, anyInstant, anyPerson, anyPostFacts, anyShortText, isUsablePost, postIds } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const commentId = '0190c000-0000-7000-8000-000000000001';
const parentId = '0190c000-0000-7000-8000-000000000002';
const [postId, otherPostId] = postIds;

const addComment = fc.record({
  type: fc.constant('AddComment' as const),
  commentId: fc.constant(commentId),
  postId: fc.constant(postId),
  authorId: anyPerson,
  text: anyShortText,
  parentCommentId: fc.constantFrom(null, parentId),
  post: anyPostFacts,
  parent: fc.option(anyCommentFacts(fc.constantFrom(postId, otherPostId))),
  now: anyInstant,
});
const commentCommand: fc.Arbitrary<CommentCommand> = fc.oneof(
  addComment,
  fc.record({ type: fc.constant('DeleteComment' as const), commentId: fc.constant(commentId), actorId: anyPerson, now: anyInstant }),
);
const commentCommands = fc.array(commentCommand, { maxLength: 15 });

describe('comment decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: commentDecider, canApply: canApplyCommentEvent, commands: commentCommands });
});

describe('comment rules', () => {
  it('a comment is added only to a post the commenter may use, and only under a live parent on the same post', () => {
    fc.assert(
      fc.property(addComment, (command) => {
        const [event] = runCommands(commentDecider, [command]).history;
        if (!event) return;
        expect(isUsablePost(command.post)).toBe(true);
        if (command.parentCommentId !== null) expect(command.parent).toEqual({ status: 'active', postId });
      }),
      { numRuns: 200 },
    );
  });

  it("a comment is deleted only by its author or the post's author", () => {
    let deletions = 0;
    fc.assert(
      fc.property(commentCommands, (cmds) => {
        for (const { command, before, events } of runCommands(commentDecider, cmds).steps) {
          if (command.type !== 'DeleteComment' || events.length === 0 || before.status === 'none') continue;
          deletions++;
          expect([before.authorId, before.postAuthorId]).toContain(command.actorId);
        }
      }),
      { numRuns: 150 },
    );
    // Deletions did come up; otherwise the property held vacuously.
    expect(deletions).toBeGreaterThan(0);
  });
});
