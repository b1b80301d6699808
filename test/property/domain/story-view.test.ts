import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoryFacts } from '../../../domain/story/story-facts.js';
import { canApplyStoryViewEvent, storyViewDecider, type ViewStory } from '../../../domain/story-view/story-view.js';
import { anyAccess, anyInstant, anyPerson, bob } from '../../support/content-arbitraries.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';
import { runCommands } from '../../support/decider-spec.js';

const storyId = '0190d000-0000-7000-8000-000000000001';

const anyStoryFacts: fc.Arbitrary<StoryFacts> = fc.oneof(
  fc.constantFrom({ status: 'missing' as const }, { status: 'deleted' as const }),
  fc.record({ status: fc.constantFrom('active' as const, 'expired' as const), authorId: anyPerson, expiresAt: anyInstant, access: anyAccess }),
);
const aMillisecondBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
/** Any time, with the instant of expiry and the millisecond before it well represented. */
const timeAround = (story: StoryFacts) =>
  'expiresAt' in story ? fc.oneof(anyInstant, fc.constantFrom(story.expiresAt, aMillisecondBefore(story.expiresAt))) : anyInstant;
const viewStory: fc.Arbitrary<ViewStory> = anyStoryFacts.chain((story) =>
  fc.record({
    type: fc.constant('ViewStory' as const),
    storyId: fc.constant(storyId),
    viewerId: fc.constant(bob),
    story: fc.constant(story),
    now: timeAround(story),
  }),
);

describe('story view decider laws (docs/rules.md)', () => {
  itObeysTheDeciderLaws({ decider: storyViewDecider, canApply: canApplyStoryViewEvent, commands: fc.array(viewStory, { maxLength: 15 }) });
});

describe('story view rules', () => {
  it('a view is recorded only of a live story, before its expiry, by someone else who may see it, and only once', () => {
    let views = 0;
    fc.assert(
      fc.property(fc.array(viewStory, { maxLength: 15 }), (cmds) => {
        const { steps, history } = runCommands(storyViewDecider, cmds);
        expect(history.length).toBeLessThanOrEqual(1);
        for (const { command, events } of steps) {
          if (events.length === 0) continue;
          views++;
          const { story, now } = command;
          expect(story.status).toBe('active');
          if (story.status !== 'active') continue;
          expect(Date.parse(now)).toBeLessThan(Date.parse(story.expiresAt));
          expect([story.access, story.authorId === command.viewerId]).toEqual(['allowed', false]);
        }
      }),
      { numRuns: 200 },
    );
    // Views were recorded; otherwise the property held vacuously.
    expect(views).toBeGreaterThan(0);
  });
});
