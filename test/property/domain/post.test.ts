import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyPostEvent, postDecider, type PostCommand } from '../../../domain/post/post.js';
import { anyInstant, anyMediaList, anyPerson, anyShortText, postIds } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const postId = postIds[0];

const postCommand: fc.Arbitrary<PostCommand> = fc.oneof(
  fc.record({
    type: fc.constant('CreatePost' as const),
    postId: fc.constant(postId),
    authorId: anyPerson,
    caption: anyShortText,
    media: anyMediaList,
    now: anyInstant,
  }),
  fc.record({ type: fc.constant('EditCaption' as const), postId: fc.constant(postId), actorId: anyPerson, caption: anyShortText, now: anyInstant }),
  fc.record({ type: fc.constant('DeletePost' as const), postId: fc.constant(postId), actorId: anyPerson, now: anyInstant }),
);
const postCommands = fc.array(postCommand, { maxLength: 20 });

describe('post decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: postDecider, canApply: canApplyPostEvent, commands: postCommands });
});

describe('post rules', () => {
  it('once deleted, a post stays deleted and no command changes it again', () => {
    fc.assert(
      fc.property(postCommands, (cmds) => {
        let deleted = false;
        for (const step of runCommands(postDecider, cmds).steps) {
          if (deleted) expect(step.events).toEqual([]);
          deleted ||= step.after.status === 'deleted';
        }
      }),
      { numRuns: 150 },
    );
  });

  it('only the author edits or deletes a post: every CaptionEdited and PostDeleted was asked for by its author', () => {
    let changes = 0;
    fc.assert(
      fc.property(postCommands, (cmds) => {
        for (const { command, before, events } of runCommands(postDecider, cmds).steps) {
          if (command.type === 'CreatePost' || events.length === 0) continue;
          changes++;
          expect(before.status !== 'none' && before.authorId === command.actorId).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    // Edits and deletions did come up; otherwise the property held vacuously.
    expect(changes).toBeGreaterThan(0);
  });
});
