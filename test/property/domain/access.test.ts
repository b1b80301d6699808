import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessTo, assertAccess, type Access } from '../../../domain/access.js';
import { AppError, notFound } from '../../../kernel/errors.js';

const runs = { numRuns: 200 };
const user = fc.constantFrom('0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002');
const facts = fc.record({
  actorId: user,
  ownerId: user,
  ownerIsPrivate: fc.boolean(),
  actorFollowsOwner: fc.boolean(),
  blockedEitherWay: fc.boolean(),
});

describe('access properties (docs/rules.md)', () => {
  it('the owner always sees their own content', () => {
    fc.assert(
      fc.property(facts, (f) => {
        expect(accessTo({ ...f, actorId: f.ownerId })).toBe('allowed');
      }),
      runs,
    );
  });

  it("a block either way hides the owner's content from the other, whatever the follow and privacy", () => {
    fc.assert(
      fc.property(facts, (f) => {
        fc.pre(f.actorId !== f.ownerId);
        expect(accessTo({ ...f, blockedEitherWay: true })).toBe('blocked');
      }),
      runs,
    );
  });

  it('without a block, content is private exactly when the owner is private and not followed', () => {
    fc.assert(
      fc.property(facts, (f) => {
        fc.pre(f.actorId !== f.ownerId);
        const access = accessTo({ ...f, blockedEitherWay: false });
        expect(access).toBe(f.ownerIsPrivate && !f.actorFollowsOwner ? 'private' : 'allowed');
      }),
      runs,
    );
  });

  it('assertAccess throws exactly when access is not allowed: a block as the missing thing (404), a private account 403', () => {
    const codes: Record<Access, [number, string] | null> = { allowed: null, blocked: [404, 'POST_NOT_FOUND'], private: [403, 'PRIVATE_ACCOUNT'] };
    const missing = () => notFound('POST_NOT_FOUND', 'No such post');
    fc.assert(
      fc.property(fc.constantFrom<Access>('allowed', 'blocked', 'private'), fc.string(), (access, what) => {
        let thrown: unknown = null;
        try {
          assertAccess(access, what, missing);
        } catch (error) {
          thrown = error;
        }
        if (codes[access] === null) {
          expect(thrown).toBeNull();
        } else {
          expect(thrown).toBeInstanceOf(AppError);
          expect([(thrown as AppError).status, (thrown as AppError).code]).toEqual(codes[access]);
        }
      }),
      runs,
    );
  });
});
