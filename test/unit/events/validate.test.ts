import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../events/envelope.js';
import { InvalidEventError, knownValidData, validateEvent } from '../../../events/validate.js';

const metadata = { correlationId: 'c-1', causationId: null, actorId: null, occurredAt: '2025-03-01T12:00:00.000Z' };
const event = (type: string, data: unknown): NewEvent => ({ eventId: '0190d000-0000-7000-8000-000000000001', type, data, metadata });

const likedData = {
  postId: '0190b000-0000-7000-8000-000000000001',
  userId: '0190a000-0000-7000-8000-000000000001',
  postAuthorId: '0190a000-0000-7000-8000-000000000002',
  likedAt: '2025-03-01T12:00:00.000Z',
};

const postCreatedData = (mediaCount: number) => ({
  postId: '0190b000-0000-7000-8000-000000000001',
  authorId: '0190a000-0000-7000-8000-000000000001',
  caption: 'hello',
  hashtags: [],
  mentions: ['ann'],
  media: Array.from({ length: mediaCount }, (_, i) => ({ url: `media/${i}.jpg`, type: 'image' })),
  createdAt: '2025-03-01T12:00:00.000Z',
});

const invalidEventError = (run: () => unknown): InvalidEventError => {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
};

describe('validateEvent', () => {
  it('returns the data of a valid event, without keys its schema does not know', () => {
    expect(validateEvent(event('Liked', { ...likedData, passwordHash: 'x' }))).toEqual(likedData);
  });

  it('takes data marked valid for its type as it is, and validates it under any other type, or a copy of it', () => {
    const marked = knownValidData('Liked', { ...likedData, extra: 'kept' });
    expect(validateEvent(event('Liked', marked))).toBe(marked);
    expect(validateEvent(event('Liked', { ...marked }))).toEqual(likedData);
    expect(invalidEventError(() => validateEvent(event('PostCreated', marked))).eventType).toBe('PostCreated');
  });

  it('rejects an unknown event type', () => {
    const error = invalidEventError(() => validateEvent(event('PostLiked', likedData)));
    expect(error.eventType).toBe('PostLiked');
    expect(error.issues.map((i) => i.path)).toEqual([['type']]);
  });

  it('names the failing fields of invalid data', () => {
    const error = invalidEventError(() => validateEvent(event('Liked', { ...likedData, postId: 'nope', likedAt: 'yesterday' })));
    expect(error.issues.map((i) => i.path).sort()).toEqual([['likedAt'], ['postId']]);
    expect(error.message).toMatch(/^invalid Liked: /);
  });

  it('property: a Liked missing any one of its fields is rejected, naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(likedData)), (missing) => {
        const data: Record<string, unknown> = { ...likedData };
        delete data[missing];
        const error = invalidEventError(() => validateEvent(event('Liked', data)));
        expect(error.issues.map((i) => i.path)).toEqual([[missing]]);
      }),
      { numRuns: 20 },
    );
  });

  it('property: a PostCreated is valid exactly when it has 1 to 10 media items', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), (count) => {
        const valid = count >= 1 && count <= 10;
        const check = () => validateEvent(event('PostCreated', postCreatedData(count)));
        if (valid) expect(check()).toEqual(postCreatedData(count));
        else expect(invalidEventError(check).issues.map((i) => i.path)).toEqual([['media']]);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a PostCreated carrying a hashtag over 100 characters (the domain never extracts one)', () => {
    const long = 'a'.repeat(101);
    expect(validateEvent(event('PostCreated', { ...postCreatedData(1), hashtags: [long.slice(1)] }))).toBeTruthy();
    expect(invalidEventError(() => validateEvent(event('PostCreated', { ...postCreatedData(1), hashtags: ['ok', long] }))).issues.map((i) => i.path)).toEqual([
      ['hashtags', 1],
    ]);
  });

  it("backstops the user tags of a PostCreated's items: kept as given; a tag out of the item, more than 20 an item or 50 a post, refused", () => {
    const tag = (n: number) => ({ userId: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`, x: 0.5, y: 1 });
    const tagged = (counts: number[]) => ({ ...postCreatedData(counts.length), media: counts.map((count, i) => ({ url: `media/${i}.jpg`, type: 'image', tags: Array.from({ length: count }, (_, n) => tag(n)) })) });
    expect(validateEvent(event('PostCreated', tagged([2, 1])))).toEqual(tagged([2, 1]));
    expect(validateEvent(event('PostCreated', tagged([20, 20, 10])))).toBeTruthy();
    // An item is a union (upload or URL): for a count, zod names the item that matched neither.
    expect(invalidEventError(() => validateEvent(event('PostCreated', tagged([21])))).issues.map((i) => i.path)).toEqual([['media', 0]]);
    expect(invalidEventError(() => validateEvent(event('PostCreated', tagged([20, 20, 11])))).issues.map((i) => i.path)).toEqual([['media']]);
    const off = { ...postCreatedData(1), media: [{ url: 'media/0.jpg', type: 'image', tags: [{ ...tag(1), x: 1.5 }] }] };
    expect(invalidEventError(() => validateEvent(event('PostCreated', off))).issues.map((i) => i.path)).toEqual([['media', 0, 'tags', 0, 'x']]);
  });

  it('validates TagRemoved', () => {
    const data = { postId: '0190b000-0000-7000-8000-000000000001', authorId: '0190a000-0000-7000-8000-000000000001', userId: '0190a000-0000-7000-8000-000000000002', removedAt: '2025-03-01T12:00:00.000Z' };
    expect(validateEvent(event('TagRemoved', data))).toEqual(data);
    expect(() => validateEvent(event('TagRemoved', { ...data, userId: 'ann' }))).toThrow(InvalidEventError);
  });

  it('rejects a version 1 PostCreated: new events are written at the current version only', () => {
    const { media: _media, ...rest } = postCreatedData(1);
    expect(() => validateEvent(event('PostCreated', { ...rest, imageUrl: 'media/0.jpg' }))).toThrow(InvalidEventError);
  });
});
