import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { canApplyMuteEvent, muteDecider, type MuteCommand } from '../../../domain/mute/mute.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

const muter = '0190a000-0000-7000-8000-000000000001';
const muted = '0190a000-0000-7000-8000-000000000002';
const runs = { numRuns: 150 };

const now = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const muteCommand: fc.Arbitrary<MuteCommand> = fc.oneof(
  fc.record({ at: now, blockedEitherWay: fc.boolean() }).map(({ at, blockedEitherWay }): MuteCommand => ({ type: 'Mute', muterId: muter, mutedId: muted, blockedEitherWay, now: at })),
  fc.constant<MuteCommand>({ type: 'Unmute', muterId: muter, mutedId: muted }),
);
const commands = fc.array(muteCommand, { maxLength: 25 });

describe('mute decider properties (docs/rules.md "Mutes")', () => {
  it('muting yourself is refused, muted or not', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), now, (self, isMuted, at) => {
        const error = domainErrorOf(() => muteDecider.decide({ type: 'Mute', muterId: self, mutedId: self, blockedEitherWay: false, now: at }, { muted: isMuted }));
        expect(error.code).toBe('CANNOT_MUTE_SELF');
      }),
      runs,
    );
  });

  it('a block either way answers a mute as an unknown account (404 USER_NOT_FOUND) and changes nothing', () => {
    fc.assert(
      fc.property(commands, now, (history, at) => {
        const state = runCommands(muteDecider, history).state;
        const error = domainErrorOf(() => muteDecider.decide({ type: 'Mute', muterId: muter, mutedId: muted, blockedEitherWay: true, now: at }, state));
        expect([error.status, error.code]).toEqual([404, 'USER_NOT_FOUND']);
      }),
      runs,
    );
  });

  it('an unmute is never refused: a block, a deletion or an erasure standing in between does not keep a mute', () => {
    fc.assert(
      fc.property(commands, (history) => {
        const state = runCommands(muteDecider, history).state;
        const after = fold(muteDecider, muteDecider.decide({ type: 'Unmute', muterId: muter, mutedId: muted }, state), state);
        expect(after.muted).toBe(false);
      }),
      runs,
    );
  });

  it('intents, not toggles: a mute or unmute that goes through, repeated, emits nothing the second time', () => {
    fc.assert(
      fc.property(commands, muteCommand, (history, command) => {
        const state = runCommands(muteDecider, history).state;
        const { steps } = runCommands(muteDecider, [command], state);
        if (steps[0]!.refused) return;
        const once = steps[0]!.after;
        expect(once.muted).toBe(command.type === 'Mute');
        expect(muteDecider.decide(command, once)).toEqual([]);
      }),
      runs,
    );
  });

  it('the pair is muted exactly when the last command that went through was Mute', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const last = cmds.filter((c) => c.type === 'Unmute' || !c.blockedEitherWay).at(-1);
        expect(runCommands(muteDecider, cmds).state.muted).toBe(last?.type === 'Mute');
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: muteDecider, canApply: canApplyMuteEvent, commands });
});
