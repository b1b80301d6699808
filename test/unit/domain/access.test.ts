import { describe, expect, it } from 'vitest';
import { accessTo, assertAccess } from '../../../domain/access.js';
import { notFound } from '../../../kernel/errors.js';
import { domainErrorOf } from '../../support/decider-spec.js';

const missing = () => notFound('POST_NOT_FOUND', 'No such post');

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const facts = { actorId: ann, ownerId: bob, ownerIsPrivate: false, actorFollowsOwner: false, blockedEitherWay: false };

describe('accessTo', () => {
  it('allows anyone on a public account', () => expect(accessTo(facts)).toBe('allowed'));
  it('hides a private account from non-followers', () => expect(accessTo({ ...facts, ownerIsPrivate: true })).toBe('private'));
  it('shows a private account to its followers', () =>
    expect(accessTo({ ...facts, ownerIsPrivate: true, actorFollowsOwner: true })).toBe('allowed'));
  it('blocks whatever the privacy and follow', () =>
    expect(accessTo({ ...facts, ownerIsPrivate: true, actorFollowsOwner: true, blockedEitherWay: true })).toBe('blocked'));
  it('always allows the owner on their own content', () =>
    expect(accessTo({ ...facts, actorId: bob, ownerIsPrivate: true, blockedEitherWay: true })).toBe('allowed'));
});

describe('assertAccess', () => {
  it('passes when allowed', () => expect(() => assertAccess('allowed', 'this post', missing)).not.toThrow());
  it('answers a block exactly as a missing thing (code and message), never 403 BLOCKED', () => {
    const error = domainErrorOf(() => assertAccess('blocked', 'this post', missing));
    const unknown = missing();
    expect([error.status, error.code, error.message]).toEqual([unknown.status, unknown.code, unknown.message]);
  });
  it('refuses a private account with 403 PRIVATE_ACCOUNT, naming the thing', () => {
    const error = domainErrorOf(() => assertAccess('private', 'this story', missing));
    expect([error.status, error.code]).toEqual([403, 'PRIVATE_ACCOUNT']);
    expect(error.message).toContain('This story');
  });
});
