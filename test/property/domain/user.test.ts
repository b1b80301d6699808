import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { canApplyUserEvent, userDecider, type ActiveUser, type UserCommand } from '../../../domain/user/user.js';
import { BIO_MAX_LENGTH, DISPLAY_NAME_MAX_LENGTH } from '../../../kernel/limits.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

const owner = '0190a000-0000-7000-8000-000000000001';
const other = '0190a000-0000-7000-8000-000000000002';
const runs = { numRuns: 150 };

const now = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
// A few fixed values so that "unchanged" updates happen often, plus arbitrary text within the
// limits the HTTP schema lets through (kernel/limits.ts; test/unit/commands/limits.test.ts).
const displayName = fc.oneof(fc.constantFrom('Ann', 'Ann Lee', ''), fc.string({ maxLength: DISPLAY_NAME_MAX_LENGTH }));
const bio = fc.oneof(fc.constantFrom('', 'photos', '📷 and ☕'), fc.string({ maxLength: BIO_MAX_LENGTH }));
const username = fc.oneof(fc.stringMatching(/^[a-z0-9._]{1,30}$/), fc.constantFrom(' Ann ', 'ANN.LEE', 'no spaces', ''));
const actor = fc.constantFrom(owner, owner, owner, other);

const userCommand: fc.Arbitrary<UserCommand> = fc.oneof(
  fc.record({ username, displayName, now }).map((c): UserCommand => ({ type: 'RegisterUser', userId: owner, ...c })),
  fc
    .record({ actorId: actor, displayName: displayName, bio: bio }, { requiredKeys: ['actorId'] })
    .map((c): UserCommand => ({ type: 'UpdateProfile', userId: owner, ...c })),
  fc.record({ actorId: actor, private: fc.boolean() }).map((c): UserCommand => ({ type: 'ChangePrivacy', userId: owner, ...c })),
);
const commands = fc.array(userCommand, { maxLength: 20 });

const activeUser: fc.Arbitrary<ActiveUser> = fc.record({
  status: fc.constant('active' as const),
  userId: fc.constant(owner),
  username: fc.stringMatching(/^[a-z0-9._]{1,30}$/),
  displayName: fc.constantFrom('Ann', 'Ann Lee', ''),
  bio: fc.constantFrom('', 'photos'),
  private: fc.boolean(),
  avatarId: fc.constant(null),
});

describe('user decider properties (docs/rules.md)', () => {
  it('a user registers at most once', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const registrations = runCommands(userDecider, cmds).history.filter((e) => e.type === 'UserRegistered');
        expect(registrations.length).toBeLessThanOrEqual(1);
      }),
      runs,
    );
  });

  it('an update emits only the changed fields, yields the requested profile, and repeats as nothing', () => {
    fc.assert(
      fc.property(activeUser, fc.option(fc.constantFrom('Ann', 'Bo', ''), { nil: undefined }), fc.option(fc.constantFrom('', 'photos', 'hi'), { nil: undefined }), (state, newName, newBio) => {
        const command: UserCommand = { type: 'UpdateProfile', actorId: owner, userId: owner, displayName: newName, bio: newBio };
        const events = userDecider.decide(command, state);
        for (const event of events) {
          if (event.type !== 'ProfileUpdated') throw new Error(`unexpected ${event.type}`);
          if (event.data.displayName !== undefined) expect(event.data.displayName).not.toBe(state.displayName);
          if (event.data.bio !== undefined) expect(event.data.bio).not.toBe(state.bio);
        }
        const after = fold(userDecider, events, state);
        expect(after).toEqual({ ...state, displayName: newName ?? state.displayName, bio: newBio ?? state.bio });
        const changed = (newName !== undefined && newName !== state.displayName) || (newBio !== undefined && newBio !== state.bio);
        expect(events.length).toBe(changed ? 1 : 0);
        expect(userDecider.decide(command, after)).toEqual([]);
      }),
      runs,
    );
  });

  it('only the owner changes a profile or its privacy', () => {
    fc.assert(
      fc.property(activeUser, fc.boolean(), bio, (state, isPrivate, text) => {
        const commandsByOther: UserCommand[] = [
          { type: 'UpdateProfile', actorId: other, userId: owner, bio: text },
          { type: 'ChangePrivacy', actorId: other, userId: owner, private: isPrivate },
        ];
        for (const command of commandsByOther) expect(domainErrorOf(() => userDecider.decide(command, state)).code).toBe('NOT_OWNER');
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: userDecider, canApply: canApplyUserEvent, commands: commands });
});
