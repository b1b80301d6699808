import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookmarkDecider, canApplyBookmarkEvent, type BookmarkCommand } from '../../../domain/bookmark/bookmark.js';
import { anyInstant, anyPostFacts, bob, isUsablePost, postIds } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const postId = postIds[0];
const userId = bob;

const bookmarkCommand: fc.Arbitrary<BookmarkCommand> = fc.oneof(
  fc.record({ type: fc.constant('Bookmark' as const), userId: fc.constant(userId), postId: fc.constant(postId), post: anyPostFacts, now: anyInstant }),
  fc.constant({ type: 'Unbookmark' as const, userId, postId }),
);
const bookmarkCommands = fc.array(bookmarkCommand, { maxLength: 25 });

describe('bookmark decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: bookmarkDecider, canApply: canApplyBookmarkEvent, commands: bookmarkCommands });
});

describe('bookmark and unbookmark toggle idempotently (docs/rules.md)', () => {
  it('after any sequence the post is saved exactly when the last accepted intent was Bookmark', () => {
    fc.assert(
      fc.property(bookmarkCommands, (cmds) => {
        const accepted = cmds.filter((c) => c.type === 'Unbookmark' || isUsablePost(c.post));
        expect(runCommands(bookmarkDecider, cmds).state.bookmarked).toBe(accepted.at(-1)?.type === 'Bookmark');
      }),
      { numRuns: 200 },
    );
  });

  it('an intent that is already true emits nothing; one that is not emits exactly the matching event', () => {
    const seen = { alreadyTrue: 0, changed: 0 };
    fc.assert(
      fc.property(bookmarkCommands, (cmds) => {
        for (const { command, before, events, refused } of runCommands(bookmarkDecider, cmds).steps) {
          if (refused) continue;
          const wantsSaved = command.type === 'Bookmark';
          expect(events.map((e) => e.type)).toEqual(before.bookmarked === wantsSaved ? [] : [wantsSaved ? 'Bookmarked' : 'Unbookmarked']);
          seen[before.bookmarked === wantsSaved ? 'alreadyTrue' : 'changed']++;
        }
      }),
      { numRuns: 200 },
    );
    // Both cases came up; otherwise the property held vacuously for one of them.
    expect(seen.alreadyTrue).toBeGreaterThan(0);
    expect(seen.changed).toBeGreaterThan(0);
  });
});
