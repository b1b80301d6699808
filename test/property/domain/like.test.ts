import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyLikeEvent, likeDecider, type LikeCommand } from '../../../domain/like/like.js';
import { anyInstant, anyPostFacts, bob, isUsablePost, postIds } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const postId = postIds[0];
const userId = bob;

const likeCommand: fc.Arbitrary<LikeCommand> = fc.oneof(
  fc.record({ type: fc.constant('Like' as const), postId: fc.constant(postId), userId: fc.constant(userId), post: anyPostFacts, now: anyInstant }),
  fc.constant({ type: 'Unlike' as const, postId, userId }),
);
const likeCommands = fc.array(likeCommand, { maxLength: 25 });

describe('like decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: likeDecider, canApply: canApplyLikeEvent, commands: likeCommands });
});

describe('like and unlike toggle idempotently (docs/rules.md)', () => {
  it('after any sequence the post is liked exactly when the last accepted intent was Like', () => {
    fc.assert(
      fc.property(likeCommands, (cmds) => {
        const accepted = cmds.filter((c) => c.type === 'Unlike' || isUsablePost(c.post));
        expect(runCommands(likeDecider, cmds).state.liked).toBe(accepted.at(-1)?.type === 'Like');
      }),
      { numRuns: 200 },
    );
  });

  it('an intent that is already true emits nothing; one that is not emits exactly the matching event', () => {
    const seen = { alreadyTrue: 0, changed: 0 };
    fc.assert(
      fc.property(likeCommands, (cmds) => {
        for (const { command, before, events, refused } of runCommands(likeDecider, cmds).steps) {
          if (refused) continue;
          const wantsLiked = command.type === 'Like';
          expect(events.map((e) => e.type)).toEqual(before.liked === wantsLiked ? [] : [wantsLiked ? 'Liked' : 'Unliked']);
          seen[before.liked === wantsLiked ? 'alreadyTrue' : 'changed']++;
        }
      }),
      { numRuns: 200 },
    );
    // Both cases came up; otherwise the property held vacuously for one of them.
    expect(seen.alreadyTrue).toBeGreaterThan(0);
    expect(seen.changed).toBeGreaterThan(0);
  });
});
