import { describe, expect, it } from 'vitest';
import { storyDecider, type StoryEvent } from '../../../domain/story/story.js';
import { storyFacts } from '../../../domain/story/story-facts.js';
import type { MediaItem } from '../../../events/index.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(storyDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const storyId = '0190d000-0000-7000-8000-000000000001';
const day = 24 * 60 * 60 * 1000;
const postedAt = '2025-03-01T10:00:00.000Z';
const expiresAt = '2025-03-02T10:00:00.000Z';
const clip: MediaItem = { url: 'media/s.mp4', type: 'video' };

const posted: StoryEvent = { type: 'StoryPosted', data: { storyId, authorId: ann, media: clip, postedAt, expiresAt } };
const expired: StoryEvent = { type: 'StoryExpired', data: { storyId, authorId: ann, expiredAt: expiresAt } };
const deleted: StoryEvent = { type: 'StoryDeleted', data: { storyId, authorId: ann, deletedAt: '2025-03-01T12:00:00.000Z' } };

const post = (ttlMs = day, now = postedAt) => ({ type: 'PostStory', storyId, authorId: ann, media: clip, now, ttlMs }) as const;
const remove = (actorId = ann) => ({ type: 'DeleteStory', storyId, actorId, now: '2025-03-01T12:00:00.000Z' }) as const;
const expire = (now: string) => ({ type: 'ExpireStory', storyId, now }) as const;

describe('PostStory', () => {
  it('posts a story that expires a TTL later', () => given([]).when(post()).then([posted]));
  it('honours a short TTL', () =>
    given([])
      .when(post(30_000))
      .then([{ type: 'StoryPosted', data: { ...posted.data, expiresAt: '2025-03-01T10:00:30.000Z' } }]));
  it('computes the expiry from an instant written without milliseconds', () =>
    given([]).when(post(day, '2025-03-01T10:00:00Z')).then([{ type: 'StoryPosted', data: { ...posted.data, postedAt: '2025-03-01T10:00:00Z' } }]));
  it('refuses a story that exists', () => given([posted]).when(post()).then(failsWith(409, 'STORY_EXISTS')));
  it('treats a TTL that is not a positive whole number of ms as a bug', () =>
    expect(() => storyDecider.decide(post(0), storyDecider.initialState())).toThrow(RangeError));
});

describe('DeleteStory', () => {
  it('deletes an active story', () => given([posted]).when(remove()).then([deleted]));
  it('deletes an expired story from the archive', () => given([posted, expired]).when(remove()).then([deleted]));
  it('emits nothing the second time', () => given([posted, deleted]).when(remove()).then([]));
  it('is for the author only', () => given([posted]).when(remove(bob)).then(failsWith(403, 'NOT_AUTHOR')));
  it('reports a missing story', () => given([]).when(remove()).then(failsWith(404, 'STORY_NOT_FOUND')));
});

describe('ExpireStory', () => {
  it('expires a due story at its expiry time, not at the time the process ran', () =>
    given([posted]).when(expire('2025-03-05T08:00:00.000Z')).then([expired]));
  it('expires a story exactly at its expiry time', () => given([posted]).when(expire(expiresAt)).then([expired]));
  it('refuses a story not yet due', () => given([posted]).when(expire('2025-03-02T09:59:59.999Z')).then(failsWith(422, 'STORY_NOT_DUE')));
  it('compares instants, not strings', () => given([posted]).when(expire('2025-03-02T10:00:00Z')).then([expired]));
  it('emits nothing for an expired story', () => given([posted, expired]).when(expire('2025-03-03T00:00:00.000Z')).then([]));
  it('emits nothing for a deleted story', () => given([posted, deleted]).when(expire('2025-03-03T00:00:00.000Z')).then([]));
  it('reports a missing story', () => given([]).when(expire(expiresAt)).then(failsWith(404, 'STORY_NOT_FOUND')));
});

describe('story facts', () => {
  it('derive from the story state and the viewer access', () => {
    const active = storyDecider.evolve(storyDecider.initialState(), posted);
    expect(storyFacts(storyDecider.initialState(), 'allowed')).toEqual({ status: 'missing' });
    expect(storyFacts(active, 'private')).toEqual({ status: 'active', authorId: ann, expiresAt, access: 'private' });
    expect(storyFacts(storyDecider.evolve(active, expired), 'allowed')).toEqual({ status: 'expired', authorId: ann, expiresAt, access: 'allowed' });
    expect(storyFacts(storyDecider.evolve(active, deleted), 'allowed')).toEqual({ status: 'deleted' });
  });
});
