import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../commands/deps.js';
import { follow } from '../../../commands/graph/follow.js';
import { decideFollow } from '../../../domain/follow/follow.js';
import { streams } from '../../../events/streams.js';
import { commandDeps, ctx, givenUser, now, typesIn } from '../../support/command-fixtures.js';

// The following cap (kernel/limits.ts FOLLOWING_MAX; decided in domain/follow/follow.ts, the count
// asked of the CommandDeps port by commands/graph/follow.ts): a follow or request past it is
// refused with 422 FOLLOWING_LIMIT_REACHED and appends nothing; a repeat of a standing follow or
// request is not a new one.

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const cat = '0190a000-0000-7000-8000-000000000003';
const pair = { followerId: ann, followeeId: bob };
const follows = (count: number, isPrivate = false) =>
  decideFollow({ type: 'Follow', ...pair, followeeIsPrivate: isPrivate, blocked: false, following: { count, max: 3 }, now }, { status: 'none' });

describe('the following cap in the decider', () => {
  it('lets the follow under the cap through, and refuses it at the cap, for a follow and a request alike', () => {
    expect(follows(2)).toMatchObject([{ type: 'Followed' }]);
    expect(follows(2, true)).toMatchObject([{ type: 'FollowRequested' }]);
    expect(() => follows(3)).toThrow(expect.objectContaining({ status: 422, code: 'FOLLOWING_LIMIT_REACHED' }));
    expect(() => follows(3, true)).toThrow(expect.objectContaining({ code: 'FOLLOWING_LIMIT_REACHED' }));
    expect(() => follows(9_999)).toThrow(expect.objectContaining({ code: 'FOLLOWING_LIMIT_REACHED' }));
  });

  it('does not refuse a repeat of a standing follow or request at the cap (it adds nothing)', () => {
    const command = { type: 'Follow', ...pair, followeeIsPrivate: false, blocked: false, following: { count: 3, max: 3 }, now } as const;
    expect(decideFollow(command, { status: 'following' })).toEqual([]);
    expect(decideFollow(command, { status: 'requested' })).toEqual([]);
  });
});

describe('the following cap in the follow handler', () => {
  let deps: CommandDeps;
  const asked: [string, number][] = [];
  let counted = 0;

  beforeEach(async () => {
    asked.length = 0;
    deps = { ...commandDeps(), followingMax: 2, followingCount: async (followerId, upTo) => (asked.push([followerId, upTo]), counted) };
    await givenUser(deps.store, { userId: ann, username: 'ann' });
    await givenUser(deps.store, { userId: bob, username: 'bob' });
    await givenUser(deps.store, { userId: cat, username: 'cat', private: true });
  });

  it('asks the count of the follower, bounded by the cap, and follows under it', async () => {
    counted = 1;
    expect(await follow(deps, { followerId: ann, username: 'bob' }, ctx)).toMatchObject({ status: 'following' });
    expect(asked).toEqual([[ann, 2]]);
  });

  it('refuses at the cap with FOLLOWING_LIMIT_REACHED and appends nothing, to a public or private account', async () => {
    counted = 2;
    await expect(follow(deps, { followerId: ann, username: 'bob' }, ctx)).rejects.toMatchObject({ status: 422, code: 'FOLLOWING_LIMIT_REACHED' });
    await expect(follow(deps, { followerId: ann, username: 'cat' }, ctx)).rejects.toMatchObject({ status: 422, code: 'FOLLOWING_LIMIT_REACHED' });
    expect(await typesIn(deps.store, streams.follow(ann, bob))).toEqual([]);
    expect(await typesIn(deps.store, streams.follow(ann, cat))).toEqual([]);
  });
});
