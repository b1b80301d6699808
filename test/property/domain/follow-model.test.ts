import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockDecider, type BlockCommand, type BlockEvent } from '../../../domain/block/block.js';
import { fold, type Decider } from '../../../domain/decider.js';
import { AppError } from '../../../kernel/errors.js';
import { followDecider, type FollowCommand, type FollowEvent } from '../../../domain/follow/follow.js';
import { userDecider, type UserCommand, type UserEvent } from '../../../domain/user/user.js';
import { streams } from '../../../events/streams.js';

// Model-based test of the social graph: random sequences of follow / unfollow / approve / reject /
// block / unblock / set-private across a few users. The "real" system is an in-memory harness that
// runs the deciders as command handlers do (load the stream, fold, decide, append); the model is
// plain sets. After every command both must agree on the outcome and on every stream's state.

const users = ['0190a000-0000-7000-8000-00000000000a', '0190a000-0000-7000-8000-00000000000b', '0190a000-0000-7000-8000-00000000000c'];
const now = '2025-03-01T10:00:00.000Z';
const name = (id: string) => `u${users.indexOf(id)}`;
const pairKey = (a: string, b: string) => `${a}>${b}`;

// ---- the real system: event streams and the deciders ----

interface Harness {
  users: Map<string, UserEvent[]>;
  follows: Map<string, FollowEvent[]>;
  blocks: Map<string, BlockEvent[]>;
}

const load = <C, S, E>(store: Map<string, E[]>, stream: string, decider: Decider<C, S, E>): S => fold(decider, store.get(stream) ?? []);

const handle = <C, S, E>(store: Map<string, E[]>, stream: string, decider: Decider<C, S, E>, command: C): void => {
  const events = decider.decide(command, load(store, stream, decider));
  store.set(stream, [...(store.get(stream) ?? []), ...events]);
};

const isPrivate = (h: Harness, userId: string) => {
  const user = load(h.users, streams.user(userId), userDecider);
  return user.status === 'active' && user.private;
};
const isBlocked = (h: Harness, blockerId: string, blockedId: string) => load(h.blocks, streams.block(blockerId, blockedId), blockDecider).blocked;
const followStatus = (h: Harness, followerId: string, followeeId: string) =>
  load(h.follows, streams.follow(followerId, followeeId), followDecider).status;

const follow = (h: Harness) => (command: FollowCommand) =>
  handle(h.follows, streams.follow(command.followerId, command.followeeId), followDecider, command);
const blockStream = (h: Harness) => (command: BlockCommand) =>
  handle(h.blocks, streams.block(command.blockerId, command.blockedId), blockDecider, command);
const user = (h: Harness) => (command: UserCommand) => handle(h.users, streams.user(command.userId), userDecider, command);

const newHarness = (): Harness => {
  const h: Harness = { users: new Map(), follows: new Map(), blocks: new Map() };
  for (const id of users) user(h)({ type: 'RegisterUser', userId: id, username: name(id), displayName: name(id), now });
  return h;
};

// ---- the model: sets ----

interface Model {
  following: Set<string>;
  pending: Set<string>;
  blocks: Set<string>;
  private: Set<string>;
}

const blockedEitherWay = (m: Model, a: string, b: string) => m.blocks.has(pairKey(a, b)) || m.blocks.has(pairKey(b, a));

// ---- commands: each states the expected outcome from the model, runs the harness, compares ----

type Outcome = string | null; // the refusal's error code, or null when accepted

const outcomeOf = (run: () => void): Outcome => {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
};

const agree = (m: Model, h: Harness) => {
  for (const a of users) {
    expect(isPrivate(h, a), `${name(a)} private`).toBe(m.private.has(a));
    for (const b of users) {
      const expected = m.following.has(pairKey(a, b)) ? 'following' : m.pending.has(pairKey(a, b)) ? 'requested' : 'none';
      expect(followStatus(h, a, b), `follow ${name(a)} -> ${name(b)}`).toBe(expected);
      expect(isBlocked(h, a, b), `block ${name(a)} -> ${name(b)}`).toBe(m.blocks.has(pairKey(a, b)));
      // docs/rules.md, checked on the real streams: a block leaves no follow or request either way.
      if (isBlocked(h, a, b)) expect([followStatus(h, a, b), followStatus(h, b, a)]).toEqual(['none', 'none']);
    }
  }
};

const socialCommand = (label: string, applyToModel: (m: Model) => Outcome, run: (h: Harness) => void): fc.Command<Model, Harness> => ({
  check: () => true,
  run: (m, h) => {
    const expected = applyToModel(m);
    expect(outcomeOf(() => run(h)), label).toBe(expected);
    agree(m, h);
  },
  toString: () => label,
});

const followCmd = (a: string, b: string) =>
  socialCommand(
    `follow(${name(a)}, ${name(b)})`,
    (m) => {
      if (a === b) return 'CANNOT_FOLLOW_SELF';
      if (blockedEitherWay(m, a, b)) return 'USER_NOT_FOUND';
      const key = pairKey(a, b);
      if (m.following.has(key) || m.pending.has(key)) return null;
      (m.private.has(b) ? m.pending : m.following).add(key);
      return null;
    },
    // As the follow handler does: privacy and blocks are read from their own streams.
    (h) =>
      follow(h)({
        type: 'Follow',
        followerId: a,
        followeeId: b,
        followeeIsPrivate: isPrivate(h, b),
        blocked: isBlocked(h, a, b) || isBlocked(h, b, a),
        now,
      }),
  );

const unfollowCmd = (a: string, b: string) =>
  socialCommand(
    `unfollow(${name(a)}, ${name(b)})`,
    (m) => {
      m.following.delete(pairKey(a, b));
      m.pending.delete(pairKey(a, b));
      return null;
    },
    (h) => follow(h)({ type: 'Unfollow', followerId: a, followeeId: b }),
  );

const approveCmd = (actor: string, follower: string, followee: string) =>
  socialCommand(
    `approve(by ${name(actor)}: ${name(follower)} -> ${name(followee)})`,
    (m) => {
      const key = pairKey(follower, followee);
      if (actor !== followee) return 'NOT_OWNER';
      if (m.following.has(key)) return null;
      if (!m.pending.delete(key)) return 'FOLLOW_REQUEST_NOT_FOUND';
      m.following.add(key);
      return null;
    },
    (h) => follow(h)({ type: 'ApproveFollowRequest', actorId: actor, followerId: follower, followeeId: followee, now }),
  );

const rejectCmd = (actor: string, follower: string, followee: string) =>
  socialCommand(
    `reject(by ${name(actor)}: ${name(follower)} -> ${name(followee)})`,
    (m) => {
      if (actor !== followee) return 'NOT_OWNER';
      return m.pending.delete(pairKey(follower, followee)) ? null : 'FOLLOW_REQUEST_NOT_FOUND';
    },
    (h) => follow(h)({ type: 'RejectFollowRequest', actorId: actor, followerId: follower, followeeId: followee }),
  );

const blockCmd = (a: string, b: string) =>
  socialCommand(
    `block(${name(a)}, ${name(b)})`,
    (m) => {
      if (a === b) return 'CANNOT_BLOCK_SELF';
      m.blocks.add(pairKey(a, b));
      for (const key of [pairKey(a, b), pairKey(b, a)]) {
        m.following.delete(key);
        m.pending.delete(key);
      }
      return null;
    },
    // As the block handler does: the block, then the follows ended both ways.
    (h) => {
      blockStream(h)({ type: 'Block', blockerId: a, blockedId: b, now });
      follow(h)({ type: 'EndFollow', followerId: a, followeeId: b, reason: 'blocked' });
      follow(h)({ type: 'EndFollow', followerId: b, followeeId: a, reason: 'blocked' });
    },
  );

const unblockCmd = (a: string, b: string) =>
  socialCommand(
    `unblock(${name(a)}, ${name(b)})`,
    (m) => {
      m.blocks.delete(pairKey(a, b));
      return null;
    },
    (h) => blockStream(h)({ type: 'Unblock', blockerId: a, blockedId: b }),
  );

const setPrivateCmd = (a: string, value: boolean) =>
  socialCommand(
    `setPrivate(${name(a)}, ${value})`,
    (m) => {
      if (value) m.private.add(a);
      else m.private.delete(a);
      return null;
    },
    (h) => user(h)({ type: 'ChangePrivacy', actorId: a, userId: a, private: value }),
  );

const someone = fc.constantFrom(...users);
// Follows and answers to requests come more often than blocks, so that graphs grow before they are cut.
const socialCommands = fc.commands(
  [
    fc.tuple(someone, someone).map(([a, b]) => followCmd(a, b)),
    fc.tuple(someone, someone).map(([a, b]) => followCmd(a, b)),
    fc.tuple(someone, someone).map(([a, b]) => unfollowCmd(a, b)),
    fc.tuple(someone, someone).map(([follower, followee]) => approveCmd(followee, follower, followee)),
    fc.tuple(someone, someone, someone).map(([actor, follower, followee]) => approveCmd(actor, follower, followee)),
    fc.tuple(someone, someone).map(([follower, followee]) => rejectCmd(followee, follower, followee)),
    fc.tuple(someone, someone, someone).map(([actor, follower, followee]) => rejectCmd(actor, follower, followee)),
    fc.tuple(someone, someone).map(([a, b]) => blockCmd(a, b)),
    fc.tuple(someone, someone).map(([a, b]) => unblockCmd(a, b)),
    fc.tuple(someone, fc.boolean()).map(([a, value]) => setPrivateCmd(a, value)),
  ],
  { maxCommands: 40 },
);

describe('social graph, model-based (docs/rules.md)', () => {
  it('follows, requests and blocks from the deciders always match a model of plain sets', () => {
    fc.assert(
      fc.property(socialCommands, (cmds) => {
        const model: Model = { following: new Set(), pending: new Set(), blocks: new Set(), private: new Set() };
        fc.modelRun(() => ({ model, real: newHarness() }), cmds);
      }),
      { numRuns: 100 },
    );
  });
});
