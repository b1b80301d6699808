import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { blockDecider, canApplyBlockEvent, type BlockCommand } from '../../../domain/block/block.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

const blocker = '0190a000-0000-7000-8000-000000000001';
const blocked = '0190a000-0000-7000-8000-000000000002';
const runs = { numRuns: 150 };

const now = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const blockCommand: fc.Arbitrary<BlockCommand> = fc.oneof(
  now.map((at): BlockCommand => ({ type: 'Block', blockerId: blocker, blockedId: blocked, now: at })),
  fc.constant<BlockCommand>({ type: 'Unblock', blockerId: blocker, blockedId: blocked }),
);
const commands = fc.array(blockCommand, { maxLength: 25 });

describe('block decider properties (docs/rules.md)', () => {
  it('blocking yourself is refused, blocked or not', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), now, (self, isBlocked, at) => {
        const error = domainErrorOf(() => blockDecider.decide({ type: 'Block', blockerId: self, blockedId: self, now: at }, { blocked: isBlocked }));
        expect(error.code).toBe('CANNOT_BLOCK_SELF');
      }),
      runs,
    );
  });

  it('a block or unblock repeated emits nothing the second time', () => {
    fc.assert(
      fc.property(commands, blockCommand, (history, command) => {
        const state = runCommands(blockDecider, history).state;
        const once = fold(blockDecider, blockDecider.decide(command, state), state);
        expect(once.blocked).toBe(command.type === 'Block');
        expect(blockDecider.decide(command, once)).toEqual([]);
      }),
      runs,
    );
  });

  it('the stream is blocked exactly when the last effective command was Block', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const last = cmds.at(-1);
        expect(runCommands(blockDecider, cmds).state.blocked).toBe(last?.type === 'Block');
      }),
      runs,
    );
  });

  itObeysTheDeciderLaws({ decider: blockDecider, canApply: canApplyBlockEvent, commands: commands });
});
