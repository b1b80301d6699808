import { describe, it } from 'vitest';
import type { StoryFacts } from '../../../domain/story/story-facts.js';
import { storyViewDecider, type StoryViewEvent } from '../../../domain/story-view/story-view.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(storyViewDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const storyId = '0190d000-0000-7000-8000-000000000001';
const now = '2025-03-01T12:00:00.000Z';
const expiresAt = '2025-03-02T10:00:00.000Z';
const live: StoryFacts = { status: 'active', authorId: ann, expiresAt, access: 'allowed' };

const viewed: StoryViewEvent = { type: 'StoryViewed', data: { storyId, authorId: ann, viewerId: bob, viewedAt: now } };
const view = (story: StoryFacts = live, over: { viewerId?: string; now?: string } = {}) =>
  ({ type: 'ViewStory', storyId, viewerId: bob, story, now, ...over }) as const;

describe('ViewStory', () => {
  it('records the first view', () => given([]).when(view()).then([viewed]));
  it('emits nothing for a second view', () => given([viewed]).when(view()).then([]));
  it("does not record authors among their own story's viewers", () => given([]).when(view(live, { viewerId: ann })).then([]));
  it('reports a missing story', () => given([]).when(view({ status: 'missing' })).then(failsWith(404, 'STORY_NOT_FOUND')));
  it('reports a deleted story as missing', () => given([]).when(view({ status: 'deleted' })).then(failsWith(404, 'STORY_NOT_FOUND')));
  it('refuses an expired story', () => given([]).when(view({ ...live, status: 'expired' })).then(failsWith(422, 'STORY_EXPIRED')));
  it('refuses a story past its expiry before the expiry process has run', () =>
    given([]).when(view(live, { now: expiresAt })).then(failsWith(422, 'STORY_EXPIRED')));
  it('records a view a millisecond before expiry', () =>
    given([])
      .when(view(live, { now: '2025-03-02T09:59:59.999Z' }))
      .then([{ type: 'StoryViewed', data: { ...viewed.data, viewedAt: '2025-03-02T09:59:59.999Z' } }]));
  it('refuses when a block stands between viewer and author', () =>
    given([]).when(view({ ...live, access: 'blocked' })).then(failsWith(404, 'STORY_NOT_FOUND')));
  it("refuses a private account's story to a non-follower", () =>
    given([]).when(view({ ...live, access: 'private' })).then(failsWith(403, 'PRIVATE_ACCOUNT')));
});
