import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShareablePost } from '../../../domain/story/shared-post.js';
import { canApplyStoryEvent, storyDecider, type StoryCommand } from '../../../domain/story/story.js';
import { ann, anyInstant, anyMediaItem, anyPerson, anyPostFacts, anyPostId } from '../../support/content-arbitraries.js';
import { domainErrorOf } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const storyId = '0190d000-0000-7000-8000-000000000001';
const hour = 60 * 60 * 1000;
/** From a millisecond to a week, with the 24-hour default and demo-sized values well represented. */
const anyTtl = fc.oneof(fc.constant(24 * hour), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 7 * 24 * hour }));

/** What a share may be decided on: any post facts; a post the rule calls private has a private author. */
const anyShareablePost: fc.Arbitrary<ShareablePost> = fc
  .record({ postId: anyPostId, facts: anyPostFacts, authorIsPrivate: fc.boolean(), firstMedia: anyMediaItem })
  .map((post) => (post.facts.status === 'active' && post.facts.access === 'private' ? { ...post, authorIsPrivate: true } : post));

const storyCommand: fc.Arbitrary<StoryCommand> = fc.oneof(
  fc.record({
    type: fc.constant('SharePost' as const),
    storyId: fc.constant(storyId),
    sharerId: anyPerson,
    post: anyShareablePost,
    now: anyInstant,
    ttlMs: anyTtl,
  }),
  fc.record({
    type: fc.constant('PostStory' as const),
    storyId: fc.constant(storyId),
    authorId: anyPerson,
    media: anyMediaItem,
    now: anyInstant,
    ttlMs: anyTtl,
  }),
  fc.record({ type: fc.constant('DeleteStory' as const), storyId: fc.constant(storyId), actorId: anyPerson, now: anyInstant }),
  fc.record({ type: fc.constant('ExpireStory' as const), storyId: fc.constant(storyId), now: anyInstant }),
);

describe('story decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: storyDecider, canApply: canApplyStoryEvent, commands: fc.array(storyCommand, { maxLength: 15 }) });
});

/** A posted story and expiry attempts at random times around its expiry, at least one of them due. */
const expiryScenario = fc
  .record({ postedAt: anyInstant, ttl: anyTtl, media: anyMediaItem })
  .chain(({ postedAt, ttl, media }) => {
    const due = Date.parse(postedAt) + ttl;
    const around = fc.integer({ min: -ttl - 1000, max: ttl + 1000 }).map((offset) => new Date(due + offset).toISOString());
    const dueAt = fc.integer({ min: 0, max: ttl + 1000 }).map((offset) => new Date(due + offset).toISOString());
    return fc
      .tuple(fc.array(around, { maxLength: 12 }), dueAt, fc.array(around, { maxLength: 12 }))
      .map(([early, first, late]) => ({ postedAt, ttl, media, due, times: [...early, first, ...late] }));
  });

describe('a story expires exactly once, STORY_TTL after it was posted (docs/rules.md)', () => {
  it('for any TTL and any ExpireStory times: exactly one StoryExpired, never before expiresAt, with expiredAt = postedAt + TTL', () => {
    fc.assert(
      fc.property(expiryScenario, ({ postedAt, ttl, media, due, times }) => {
        const commands: StoryCommand[] = [
          { type: 'PostStory', storyId, authorId: ann, media, now: postedAt, ttlMs: ttl },
          ...times.map((now): StoryCommand => ({ type: 'ExpireStory', storyId, now })),
        ];
        const { steps, history } = runCommands(storyDecider, commands);
        const expiries = steps.filter((s) => s.events.some((e) => e.type === 'StoryExpired'));
        expect(expiries).toHaveLength(1);
        const [expiry] = expiries;
        expect(Date.parse(expiry!.command.now)).toBeGreaterThanOrEqual(due);
        const expired = history.find((e) => e.type === 'StoryExpired');
        expect(expired?.type === 'StoryExpired' && Date.parse(expired.data.expiredAt) - Date.parse(postedAt)).toBe(ttl);
        // Until it expired, every early attempt was refused as not due.
        for (const step of steps.slice(1, steps.indexOf(expiry!))) expect(step.refused?.code).toBe('STORY_NOT_DUE');
      }),
      { numRuns: 200 },
    );
  });

  it('a story deleted before its expiry is processed never expires afterwards, whenever the expiry process runs', () => {
    fc.assert(
      fc.property(expiryScenario, fc.nat(), ({ postedAt, ttl, media, times }, cut) => {
        const at = cut % (times.length + 1);
        const commands: StoryCommand[] = [
          { type: 'PostStory', storyId, authorId: ann, media, now: postedAt, ttlMs: ttl },
          ...times.slice(0, at).map((now): StoryCommand => ({ type: 'ExpireStory', storyId, now })),
          { type: 'DeleteStory', storyId, actorId: ann, now: postedAt },
          ...times.slice(at).map((now): StoryCommand => ({ type: 'ExpireStory', storyId, now })),
        ];
        const { history } = runCommands(storyDecider, commands);
        const expiredBeforeDelete = history.findIndex((e) => e.type === 'StoryExpired');
        const deletedAt = history.findIndex((e) => e.type === 'StoryDeleted');
        expect(deletedAt).toBeGreaterThan(0);
        expect(expiredBeforeDelete === -1 || expiredBeforeDelete < deletedAt).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('sharing a post to a story (docs/rules.md "Shares")', () => {
  // Rule: a share is refused as a like is (missing or blocked: POST_NOT_FOUND; deleted: POST_DELETED;
  // private and not followed: PRIVATE_ACCOUNT), and a private account's post by anyone but its
  // author (POST_NOT_SHAREABLE); otherwise it posts one story of the sharer's, showing the post's
  // first media item and naming the post and its author.
  it('for any post facts and sharer: exactly the allowed shares post a story, each refusal with its code', () => {
    fc.assert(
      fc.property(anyShareablePost, anyPerson, anyInstant, anyTtl, (post, sharerId, now, ttlMs) => {
        const command: StoryCommand = { type: 'SharePost', storyId, sharerId, post, now, ttlMs };
        const { facts } = post;
        const expected =
          facts.status === 'missing' || (facts.status === 'active' && facts.access === 'blocked')
            ? 'POST_NOT_FOUND'
            : facts.status === 'deleted'
              ? 'POST_DELETED'
              : facts.access === 'private'
                ? 'PRIVATE_ACCOUNT'
                : post.authorIsPrivate && facts.authorId !== sharerId
                  ? 'POST_NOT_SHAREABLE'
                  : null;
        if (expected !== null) {
          expect(domainErrorOf(() => storyDecider.decide(command, storyDecider.initialState())).code).toBe(expected);
          return;
        }
        const events = storyDecider.decide(command, storyDecider.initialState());
        expect(events).toEqual([
          {
            type: 'StoryPosted',
            data: {
              storyId,
              authorId: sharerId,
              media: post.firstMedia,
              postedAt: now,
              expiresAt: new Date(Date.parse(now) + ttlMs).toISOString(),
              sharedPost: { postId: post.postId, authorId: facts.status === 'active' ? facts.authorId : '' },
            },
          },
        ]);
      }),
      { numRuns: 300 },
    );
  });
});
