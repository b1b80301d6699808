import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canApplyStoryEvent, storyDecider, type StoryCommand } from '../../../domain/story/story.js';
import { ann, anyInstant, anyMediaItem, anyPerson } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const storyId = '0190d000-0000-7000-8000-000000000001';
const hour = 60 * 60 * 1000;
/** From a millisecond to a week, with the 24-hour default and demo-sized values well represented. */
const anyTtl = fc.oneof(fc.constant(24 * hour), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 7 * 24 * hour }));

const storyCommand: fc.Arbitrary<StoryCommand> = fc.oneof(
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
