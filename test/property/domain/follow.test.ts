import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { canApplyFollowEvent, followDecider, type FollowCommand, type FollowEvent, type FollowState } from '../../../domain/follow/follow.js';
import { domainErrorOf, runCommands } from '../../support/decider-spec.js';
import { itObeysTheDeciderLaws } from '../../support/decider-laws.js';

// Properties of docs/rules.md for the follow stream of one pair (follower -> followee), over random
// command sequences. Actors vary so that approvals by the wrong account are exercised too.
const follower = '0190a000-0000-7000-8000-000000000001';
const followee = '0190a000-0000-7000-8000-000000000002';
const stranger = '0190a000-0000-7000-8000-000000000003';
const pair = { followerId: follower, followeeId: followee };
const runs = { numRuns: 150 };

const now = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const actor = fc.constantFrom(followee, followee, follower, stranger);
// Blocked follows are refused; keep them rare enough that sequences still get somewhere.
const rarely = fc.constantFrom(false, false, false, true);

const followCommand = (privacy: fc.Arbitrary<boolean> = fc.boolean()): fc.Arbitrary<FollowCommand> =>
  fc.oneof(
    fc.record({ followeeIsPrivate: privacy, blocked: rarely, now }).map(
      (c): FollowCommand => ({ type: 'Follow', ...pair, ...c }),
    ),
    fc.constant<FollowCommand>({ type: 'Unfollow', ...pair }),
    fc.record({ actorId: actor, now }).map((c): FollowCommand => ({ type: 'ApproveFollowRequest', ...pair, ...c })),
    actor.map((actorId): FollowCommand => ({ type: 'RejectFollowRequest', ...pair, actorId })),
    fc.constant<FollowCommand>({ type: 'EndFollow', ...pair, reason: 'blocked' }), fc.constant<FollowCommand>({ type: 'EndFollow', ...pair, reason: 'account-erased' }),
  );
const commands = (privacy?: fc.Arbitrary<boolean>) => fc.array(followCommand(privacy), { maxLength: 25 });

/** A state reached by really running commands, not just any value of the type. */
const reachedState = commands().map((cmds) => runCommands(followDecider, cmds).state);

describe('follow decider properties (docs/rules.md)', () => {
  it('following yourself is refused, whatever the state and the flags', () => {
    fc.assert(
      fc.property(fc.constantFrom<FollowState['status']>('none', 'requested', 'following'), fc.uuid(), fc.boolean(), fc.boolean(), now, (status, self, isPrivate, blocked, at) => {
        const command: FollowCommand = { type: 'Follow', followerId: self, followeeId: self, followeeIsPrivate: isPrivate, blocked, now: at };
        expect(domainErrorOf(() => followDecider.decide(command, { status })).code).toBe('CANNOT_FOLLOW_SELF');
      }),
      runs,
    );
  });

  it('a second follow of the same account emits nothing', () => {
    fc.assert(
      fc.property(reachedState, fc.boolean(), now, (state, isPrivate, at) => {
        const follow: FollowCommand = { type: 'Follow', ...pair, followeeIsPrivate: isPrivate, blocked: false, now: at };
        const afterFirst = fold(followDecider, followDecider.decide(follow, state), state);
        expect(afterFirst.status).not.toBe('none');
        expect(followDecider.decide(follow, afterFirst)).toEqual([]);
      }),
      runs,
    );
  });

  it('following a private account yields FollowRequested, never Followed', () => {
    fc.assert(
      fc.property(now, (at) => {
        const events = followDecider.decide({ type: 'Follow', ...pair, followeeIsPrivate: true, blocked: false, now: at }, { status: 'none' });
        expect(events).toEqual([{ type: 'FollowRequested', data: { ...pair, requestedAt: at } }]);
      }),
      runs,
    );
  });

  it("with a private followee, only the followee's approval yields Followed", () => {
    let follows = 0;
    fc.assert(
      fc.property(commands(fc.constant(true)), (cmds) => {
        for (const step of runCommands(followDecider, cmds).steps) {
          if (!step.events.some((e) => e.type === 'Followed')) continue;
          follows++;
          expect(step.command.type).toBe('ApproveFollowRequest');
          expect(step.command.type === 'ApproveFollowRequest' && step.command.actorId).toBe(followee);
          expect(step.before.status).toBe('requested');
          expect(step.events.map((e) => e.type)).toEqual(['FollowRequestApproved', 'Followed']);
        }
      }),
      runs,
    );
    // The generated sequences did reach approvals; otherwise the property held vacuously.
    expect(follows).toBeGreaterThan(0);
  });

  it('a block or an erasure ends the follow: EndFollow from any reached state leaves none', () => {
    fc.assert(
      fc.property(reachedState, (state) => {
        const events = followDecider.decide({ type: 'EndFollow', ...pair, reason: 'blocked' }, state);
        expect(fold(followDecider, events, state)).toEqual({ status: 'none' });
        expect(events.every((e) => e.type !== 'Unfollowed' || e.data.reason === 'blocked')).toBe(true);
      }),
      runs,
    );
  });

  it('a blocked pair cannot follow, from any reached state', () => {
    fc.assert(
      fc.property(reachedState, fc.boolean(), now, (state, isPrivate, at) => {
        const command: FollowCommand = { type: 'Follow', ...pair, followeeIsPrivate: isPrivate, blocked: true, now: at };
        expect(domainErrorOf(() => followDecider.decide(command, state)).code).toBe('USER_NOT_FOUND');
      }),
      runs,
    );
  });

  it('folding any stored mix of follow events, in any order, gives the state machine of docs/rules.md, skipping impossible moves', () => {
    // The state machine written as a table, independently of followTransition's switch: the
    // status each event leads to from each status; a missing entry is a move the stream skips.
    type Status = FollowState['status'];
    const machine: Record<Status, Partial<Record<FollowEvent['type'], Status>>> = {
      none: { FollowRequested: 'requested', Followed: 'following' },
      requested: { FollowRequestApproved: 'requested', Followed: 'following', FollowRequestRejected: 'none', FollowRequestCancelled: 'none' },
      following: { Unfollowed: 'none' },
    };
    const at = '2025-03-01T10:00:00.000Z';
    const anyStoredEvent = fc.constantFrom<FollowEvent>(
      { type: 'FollowRequested', data: { ...pair, requestedAt: at } },
      { type: 'FollowRequestApproved', data: { ...pair, approvedAt: at } },
      { type: 'FollowRequestRejected', data: pair },
      { type: 'FollowRequestCancelled', data: { ...pair, reason: 'withdrawn' } },
      { type: 'Followed', data: { ...pair, followedAt: at } },
      { type: 'Unfollowed', data: { ...pair, reason: 'unfollowed' } },
    );
    let skipped = 0;
    let moved = 0;
    fc.assert(
      fc.property(fc.array(anyStoredEvent, { maxLength: 30 }), (events) => {
        let expected: Status = 'none';
        for (const event of events) {
          const next: Status | undefined = machine[expected][event.type];
          if (next === undefined) skipped++;
          else moved++;
          expected = next ?? expected;
        }
        expect(fold(followDecider, events)).toEqual({ status: expected });
      }),
      runs,
    );
    // Both kinds of stored event came up: legal moves and ones the fold must skip.
    expect(skipped).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
  });

  itObeysTheDeciderLaws({ decider: followDecider, canApply: canApplyFollowEvent, commands: commands() });
});
