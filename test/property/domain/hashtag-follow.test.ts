import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { canApplyHashtagFollowEvent, hashtagFollowDecider, type HashtagFollowCommand } from '../../../domain/hashtag-follow/hashtag-follow.js';
import { normalizeHashtag } from '../../../kernel/hashtags.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

const user = '0190a000-0000-7000-8000-000000000001';
const tag = 'beach';
const max = 3;
const runs = { numRuns: 150 };

const now = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const command: fc.Arbitrary<HashtagFollowCommand> = fc.oneof(
  fc.record({ at: now, count: fc.integer({ min: 0, max: max + 2 }) }).map(({ at, count }): HashtagFollowCommand => ({ type: 'FollowHashtag', userId: user, tag, followed: { count, max }, now: at })),
  fc.constant<HashtagFollowCommand>({ type: 'UnfollowHashtag', userId: user, tag }),
);
const commands = fc.array(command, { maxLength: 25 });

describe('hashtag follow decider properties (docs/rules.md "Hashtag follows")', () => {
  it('a new follow at or past the cap is refused, and changes nothing; under it, it goes through', () => {
    fc.assert(
      fc.property(commands, fc.integer({ min: 0, max: max + 5 }), now, (history, count, at) => {
        const state = runCommands(hashtagFollowDecider, history).state;
        const follow: HashtagFollowCommand = { type: 'FollowHashtag', userId: user, tag, followed: { count, max }, now: at };
        if (state.following) expect(hashtagFollowDecider.decide(follow, state)).toEqual([]);
        else if (count >= max) expect(domainErrorOf(() => hashtagFollowDecider.decide(follow, state)).code).toBe('HASHTAG_FOLLOWS_LIMIT_REACHED');
        else expect(fold(hashtagFollowDecider, hashtagFollowDecider.decide(follow, state), state).following).toBe(true);
      }),
      runs,
    );
  });

  it('only a normalised tag is followed: any other text is refused with INVALID_HASHTAG', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), now, (text, at) => {
        const follow: HashtagFollowCommand = { type: 'FollowHashtag', userId: user, tag: text, followed: { count: 0, max }, now: at };
        if (normalizeHashtag(text) === text) expect(hashtagFollowDecider.decide(follow, { following: false })).toMatchObject([{ type: 'HashtagFollowed', data: { tag: text } }]);
        else expect(domainErrorOf(() => hashtagFollowDecider.decide(follow, { following: false })).code).toBe('INVALID_HASHTAG');
      }),
      runs,
    );
  });

  it('an unfollow is never refused, and leaves the tag unfollowed', () => {
    fc.assert(
      fc.property(commands, (history) => {
        const state = runCommands(hashtagFollowDecider, history).state;
        const after = fold(hashtagFollowDecider, hashtagFollowDecider.decide({ type: 'UnfollowHashtag', userId: user, tag }, state), state);
        expect(after.following).toBe(false);
      }),
      runs,
    );
  });

  it('intents, not toggles: a command that goes through, repeated, emits nothing the second time', () => {
    fc.assert(
      fc.property(commands, command, (history, next) => {
        const state = runCommands(hashtagFollowDecider, history).state;
        const { steps } = runCommands(hashtagFollowDecider, [next], state);
        if (steps[0]!.refused) return;
        const once = steps[0]!.after;
        expect(once.following).toBe(next.type === 'FollowHashtag');
        expect(hashtagFollowDecider.decide(next, once)).toEqual([]);
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: hashtagFollowDecider, canApply: canApplyHashtagFollowEvent, commands });
});
