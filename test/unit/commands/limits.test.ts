import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createPostBody, profileBody, registerBody } from '../../../commands/http/schemas.js';
import { postDecider } from '../../../domain/post/post.js';
import { userDecider } from '../../../domain/user/user.js';
import type { NewEvent } from '../../../events/envelope.js';
import { InvalidEventError, validateEvent } from '../../../events/validate.js';
import { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH, MAX_MEDIA_PER_POST, MIN_MEDIA_PER_POST } from '../../../kernel/limits.js';

// The plain shape limits are answered by the HTTP schema (400 VALIDATION_FAILED naming the field,
// test/e2e/bad-input.test.ts) and backstopped by the event contract at append; the deciders take
// what HTTP lets through (kernel/limits.ts says who refuses what).

const ann = '0190a000-0000-7000-8000-000000000001';
const postId = '0190b000-0000-7000-8000-000000000001';
const now = '2025-03-01T10:00:00.000Z';
const photo = { url: 'https://cdn.example/a.jpg', type: 'image' as const };
const media = (count: number) => Array.from({ length: count }, () => photo);
const metadata = { correlationId: 'c-1', causationId: null, actorId: null, occurredAt: now };

/** The field paths a schema refuses `input` on; empty when it accepts it. */
const refusedPaths = (schema: z.ZodType, input: unknown): string[] => {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

const contractRefuses = (type: string, data: unknown): boolean => {
  const event: NewEvent = { eventId: '0190d000-0000-7000-8000-000000000001', type, data, metadata };
  try {
    validateEvent(event);
    return false;
  } catch (error) {
    if (error instanceof InvalidEventError) return true;
    throw error;
  }
};

const registered = { userId: ann, username: 'ann', registeredAt: now };
const account = { username: 'ann', email: 'ann@example.com', password: 'long enough' };

describe('display name and bio: refused over HTTP, backstopped by the event contract', () => {
  it(`HTTP refuses a display name over ${DISPLAY_NAME_MAX_LENGTH} characters, naming the field`, () => {
    expect(refusedPaths(registerBody, { ...account, displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH) })).toEqual([]);
    expect(refusedPaths(registerBody, { ...account, displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH + 1) })).toEqual(['displayName']);
    expect(refusedPaths(profileBody, { displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH + 1) })).toEqual(['displayName']);
  });

  it(`HTTP refuses a bio over ${BIO_MAX_LENGTH} characters, naming the field`, () => {
    expect(refusedPaths(profileBody, { bio: 'x'.repeat(BIO_MAX_LENGTH) })).toEqual([]);
    expect(refusedPaths(profileBody, { bio: 'x'.repeat(BIO_MAX_LENGTH + 1) })).toEqual(['bio']);
  });

  it('the event contract refuses a longer display name or bio, counting an emoji as one character', () => {
    expect(contractRefuses('UserRegistered', { ...registered, displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH) })).toBe(false);
    expect(contractRefuses('UserRegistered', { ...registered, displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH + 1) })).toBe(true);
    expect(contractRefuses('ProfileUpdated', { userId: ann, displayName: 'x'.repeat(DISPLAY_NAME_MAX_LENGTH + 1) })).toBe(true);
    expect(contractRefuses('ProfileUpdated', { userId: ann, bio: '📷'.repeat(BIO_MAX_LENGTH) })).toBe(false);
    expect(contractRefuses('ProfileUpdated', { userId: ann, bio: '📷'.repeat(BIO_MAX_LENGTH + 1) })).toBe(true);
  });

  it('the user decider takes the fields as HTTP lets them through', () => {
    const displayName = 'x'.repeat(DISPLAY_NAME_MAX_LENGTH);
    const events = userDecider.decide({ type: 'RegisterUser', userId: ann, username: 'ann', displayName, now }, userDecider.initialState());
    expect(events).toEqual([{ type: 'UserRegistered', data: { ...registered, displayName } }]);
  });
});

describe(`media per post (${MIN_MEDIA_PER_POST} to ${MAX_MEDIA_PER_POST}): refused over HTTP, backstopped by the event contract`, () => {
  const postCreated = (count: number) => ({ postId, authorId: ann, caption: '', hashtags: [], mentions: [], media: media(count), createdAt: now });

  it('HTTP refuses no media or more than ten, naming the field', () => {
    expect(refusedPaths(createPostBody, { media: media(MIN_MEDIA_PER_POST) })).toEqual([]);
    expect(refusedPaths(createPostBody, { media: media(MAX_MEDIA_PER_POST) })).toEqual([]);
    expect(refusedPaths(createPostBody, { media: [] })).toEqual(['media']);
    expect(refusedPaths(createPostBody, { media: media(MAX_MEDIA_PER_POST + 1) })).toEqual(['media']);
  });

  it('the event contract refuses a post without media or with more than ten', () => {
    expect(contractRefuses('PostCreated', postCreated(MIN_MEDIA_PER_POST))).toBe(false);
    expect(contractRefuses('PostCreated', postCreated(MAX_MEDIA_PER_POST))).toBe(false);
    expect(contractRefuses('PostCreated', postCreated(0))).toBe(true);
    expect(contractRefuses('PostCreated', postCreated(MAX_MEDIA_PER_POST + 1))).toBe(true);
  });

  it('the post decider takes the media as HTTP lets them through', () => {
    const command = { type: 'CreatePost', postId, authorId: ann, caption: '', media: media(MAX_MEDIA_PER_POST), now } as const;
    expect(postDecider.decide(command, postDecider.initialState())).toEqual([{ type: 'PostCreated', data: postCreated(MAX_MEDIA_PER_POST) }]);
  });
});
