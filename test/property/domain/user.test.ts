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
  fc.record({ verified: fc.boolean(), now }).map((c): UserCommand => ({ type: 'SetVerified', userId: owner, ...c })),
);
// The deletion lifecycle on any clock: moments within a few seconds of each other and graces of
// up to a few seconds, so that restores and erasures land on both sides of (and at) eraseAfter.
const BASE = Date.parse('2025-03-01T10:00:00.000Z');
const moment = fc.integer({ min: 0, max: 5_000 }).map((ms) => new Date(BASE + ms).toISOString());
const lifecycleCommand: fc.Arbitrary<UserCommand> = fc.oneof(
  fc.record({ actorId: actor, now: moment, grace: fc.integer({ min: 0, max: 3_000 }) }).map(
    ({ grace, ...c }): UserCommand => ({ type: 'RequestAccountDeletion', userId: owner, ...c, eraseAfter: new Date(Date.parse(c.now) + grace).toISOString() }),
  ),
  fc.record({ actorId: actor, now: moment }).map((c): UserCommand => ({ type: 'RestoreAccount', userId: owner, ...c })),
  moment.map((at): UserCommand => ({ type: 'EraseAccount', userId: owner, now: at })),
);
const registration: UserCommand = { type: 'RegisterUser', userId: owner, username: 'ann', displayName: 'Ann', now: new Date(BASE).toISOString() };
const lifecycle = fc.array(fc.oneof({ weight: 4, arbitrary: lifecycleCommand }, { weight: 1, arbitrary: userCommand }), { maxLength: 25 }).map((cmds) => [registration, ...cmds]);
const commands = fc.array(fc.oneof(userCommand, lifecycleCommand), { maxLength: 20 });

const activeUser: fc.Arbitrary<ActiveUser> = fc.record({
  status: fc.constant('active' as const),
  userId: fc.constant(owner),
  username: fc.stringMatching(/^[a-z0-9._]{1,30}$/),
  displayName: fc.constantFrom('Ann', 'Ann Lee', ''),
  bio: fc.constantFrom('', 'photos'),
  private: fc.boolean(),
  avatarId: fc.constant(null),
  verified: fc.boolean(),
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

  it('the verified badge: only an active account has it, it is what the last SetVerified said, and repeating that appends nothing', () => {
    fc.assert(
      fc.property(lifecycle, (cmds) => {
        const { history, state } = runCommands(userDecider, cmds);
        const changes = history.filter((e) => e.type === 'VerifiedChanged');
        // Each change flips the badge: no event repeats the value it already had.
        changes.forEach((event, i) => expect(event.data.verified).toBe(i % 2 === 0));
        if (state.status === 'active') {
          expect(state.verified).toBe(changes.length % 2 === 1);
          expect(userDecider.decide({ type: 'SetVerified', userId: owner, verified: state.verified, now: new Date(BASE).toISOString() }, state)).toEqual([]);
        } else {
          const refused = domainErrorOf(() => userDecider.decide({ type: 'SetVerified', userId: owner, verified: true, now: new Date(BASE).toISOString() }, state));
          expect(refused.code).toBe('USER_NOT_FOUND');
        }
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

  it('an account is erased only after a deletion request whose grace passed with no restore after it; nothing restores an erased account', () => {
    fc.assert(
      fc.property(lifecycle, (cmds) => {
        const { history } = runCommands(userDecider, cmds);
        // The request in force: the last AccountDeletionRequested with no AccountRestored after it.
        let pending: { eraseAfter: string } | null = null;
        let erased = false;
        for (const event of history) {
          if (event.type === 'AccountDeletionRequested') pending = { eraseAfter: event.data.eraseAfter };
          if (event.type === 'AccountRestored') {
            expect(erased).toBe(false);
            pending = null;
          }
          if (event.type === 'AccountErased') {
            expect(pending).not.toBeNull();
            expect(Date.parse(event.data.erasedAt)).toBeGreaterThanOrEqual(Date.parse(pending!.eraseAfter));
            erased = true;
          }
          // An erased account takes no event: not a restore, a new request, a profile change, nor a second erasure.
          if (erased) expect(event.type).toBe('AccountErased');
        }
        expect(history.filter((e) => e.type === 'AccountErased').length).toBeLessThanOrEqual(1);
      }),
      runs,
    );
  });

  it('a restore is refused exactly from eraseAfter on (the grace boundary)', () => {
    fc.assert(
      fc.property(moment, fc.integer({ min: 0, max: 3_000 }), moment, (requestedAt, grace, restoreAt) => {
        const eraseAfter = new Date(Date.parse(requestedAt) + grace).toISOString();
        const { state } = runCommands(userDecider, [registration, { type: 'RequestAccountDeletion', actorId: owner, userId: owner, now: requestedAt, eraseAfter }]);
        const restore: UserCommand = { type: 'RestoreAccount', actorId: owner, userId: owner, now: restoreAt };
        if (Date.parse(restoreAt) < Date.parse(eraseAfter)) expect(userDecider.decide(restore, state).map((e) => e.type)).toEqual(['AccountRestored']);
        else expect(domainErrorOf(() => userDecider.decide(restore, state)).code).toBe('ACCOUNT_ERASURE_STARTED');
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: userDecider, canApply: canApplyUserEvent, commands: commands });
});
