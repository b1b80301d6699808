import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PostCreated, PostCreatedV1 } from '../../../events/post-events.js';
import { currentVersion } from '../../../events/registry.js';
import { StoryPosted } from '../../../events/story-events.js';
import { UnknownEventVersionError, upcast } from '../../../events/upcasters.js';

const instant = fc
  .date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const username = fc.stringMatching(/^[a-z0-9._]{1,30}$/);

// Version 1 as it was stored. The image URL is never empty here: v1 did not forbid it, but an
// empty URL has no valid version 2 (a media item's url has at least one character).
const postCreatedV1 = fc.record({
  postId: fc.uuid(),
  authorId: fc.uuid(),
  caption: fc.string({ maxLength: 100 }),
  hashtags: fc.array(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 5 }),
  mentions: fc.array(username, { maxLength: 5 }),
  imageUrl: fc.webUrl(),
  createdAt: instant,
});

describe('upcast', () => {
  it('turns a version 1 PostCreated (imageUrl) into the current version (one image in media, no location)', () => {
    const v1 = {
      postId: '0190b000-0000-7000-8000-000000000001',
      authorId: '0190a000-0000-7000-8000-000000000001',
      caption: 'sunset #beach',
      hashtags: ['beach'],
      mentions: [],
      imageUrl: 'https://cdn.example/sunset.jpg',
      createdAt: '2021-06-01T18:00:00.000Z',
    };
    const { imageUrl: _imageUrl, ...rest } = v1;

    expect(upcast('PostCreated', 1, v1)).toEqual({
      version: 3,
      data: { ...rest, media: [{ url: 'https://cdn.example/sunset.jpg', type: 'image' }] },
    });
  });

  it('property: every valid v1 PostCreated upcasts to a valid current PostCreated keeping its other fields', () => {
    fc.assert(
      fc.property(postCreatedV1, (v1) => {
        expect(PostCreatedV1.safeParse(v1).success).toBe(true);
        const { version, data } = upcast('PostCreated', 1, v1);
        expect(version).toBe(currentVersion('PostCreated'));
        const parsed = PostCreated.parse(data);
        const { imageUrl, ...rest } = v1;
        expect(parsed).toEqual({ ...rest, media: [{ url: imageUrl, type: 'image' }] });
        expect(data).not.toHaveProperty('imageUrl');
      }),
      { numRuns: 150 },
    );
  });

  it('reads a version 2 PostCreated (before locations) as version 3 naming no place', () => {
    const v2 = {
      postId: '0190b000-0000-7000-8000-000000000002',
      authorId: '0190a000-0000-7000-8000-000000000001',
      caption: 'pier',
      hashtags: [],
      mentions: [],
      media: [{ url: 'https://cdn.example/pier.jpg', type: 'image' }],
      createdAt: '2024-06-01T18:00:00.000Z',
    };
    const { version, data } = upcast('PostCreated', 2, v2);
    expect(version).toBe(3);
    expect(PostCreated.parse(data)).toEqual(v2);
    expect(data).not.toHaveProperty('location');
  });

  it('property: data already at the current version comes back unchanged', () => {
    const types = ['PostCreated', 'Liked', 'UserRegistered', 'StoryExpired'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.object(), (type, data) => {
        const result = upcast(type, currentVersion(type), data);
        expect(result).toEqual({ version: currentVersion(type), data });
        expect(result.data).toBe(data);
      }),
      { numRuns: 100 },
    );
  });

  // Rule (events/registry.ts): an optional field added to a type keeps its version, since every
  // stored event of it parses as it is: a StoryPosted from before shares is an ordinary story.
  it('reads a StoryPosted stored before shares as it is, at the same version, an ordinary story', () => {
    const stored = {
      storyId: '0190d000-0000-7000-8000-000000000001',
      authorId: '0190a000-0000-7000-8000-000000000001',
      media: { url: 'https://cdn.example/s.jpg', type: 'image' },
      postedAt: '2024-06-01T18:00:00.000Z',
      expiresAt: '2024-06-02T18:00:00.000Z',
    };
    expect(currentVersion('StoryPosted')).toBe(1);
    const { version, data } = upcast('StoryPosted', 1, stored);
    expect(version).toBe(1);
    expect(StoryPosted.parse(data)).toEqual(stored);
    expect(StoryPosted.parse(data).sharedPost).toBeUndefined();
  });

  it('passes event types it does not know through untouched', () => {
    const data = { anything: 1 };
    expect(upcast('SomethingFromTheFuture', 7, data)).toEqual({ version: 7, data });
  });

  it('fails loudly on a stored version that has no upcaster, rather than passing stale data on', () => {
    expect(() => upcast('PostCreated', 0, {})).toThrow(UnknownEventVersionError);
    expect(() => upcast('Liked', 0, {})).toThrow(/no upcaster for Liked v0/);
  });
});
