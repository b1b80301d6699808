import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { USERNAME_PATTERN } from '../../../kernel/limits.js';
import { canApplyUsernameEvent, normalizeUsername, RESERVED_USERNAMES, usernameDecider, type UsernameCommand } from '../../../domain/username/username.js';
import { runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

const users = ['0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-000000000002', '0190a000-0000-7000-8000-000000000003'];
const runs = { numRuns: 150 };

// One reservation stream: every command names the same username, in varying case and padding.
const spelling = fc.constantFrom('ann.lee', 'Ann.Lee', ' ANN.LEE ');
const usernameCommand: fc.Arbitrary<UsernameCommand> = fc.record({
  type: fc.constantFrom('ReserveUsername' as const, 'ReleaseUsername' as const),
  username: spelling,
  userId: fc.constantFrom(...users),
});
const commands = fc.array(usernameCommand, { maxLength: 25 });

describe('username reservation properties (docs/architecture.md "Event store")', () => {
  it('a name has one holder at a time: the first reserver keeps it until they release it', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        let holder: string | null = null;
        for (const step of runCommands(usernameDecider, cmds).steps) {
          const { type, userId } = step.command;
          const takenByOther = type === 'ReserveUsername' && holder !== null && holder !== userId;
          expect(step.refused?.code ?? null).toBe(takenByOther ? 'USERNAME_TAKEN' : null);
          if (type === 'ReserveUsername' && holder === null) holder = userId;
          if (type === 'ReleaseUsername' && holder === userId) holder = null;
          expect(step.after).toEqual({ holder });
        }
      }),
      runs,
    );
  });

  it('normalizing is idempotent, and reserving any text stores a name matching the pattern and not reserved, or is refused', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 35 }), fc.stringMatching(/^ ?[A-Za-z0-9._]{1,31} ?$/), fc.constantFrom('me', 'ME', ' Me ')), (raw) => {
        expect(normalizeUsername(normalizeUsername(raw))).toBe(normalizeUsername(raw));
        const { steps } = runCommands(usernameDecider, [{ type: 'ReserveUsername', username: raw, userId: users[0]! }]);
        const step = steps[0]!;
        if (RESERVED_USERNAMES.has(normalizeUsername(raw))) {
          expect(step.refused?.code).toBe('USERNAME_RESERVED');
        } else if (USERNAME_PATTERN.test(normalizeUsername(raw))) {
          expect(step.events).toEqual([{ type: 'UsernameReserved', data: { username: normalizeUsername(raw), userId: users[0] } }]);
        } else {
          expect(step.refused?.code).toBe('INVALID_USERNAME');
        }
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: usernameDecider, canApply: canApplyUsernameEvent, commands: commands });
});
