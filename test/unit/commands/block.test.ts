import { beforeEach, describe, expect, it } from 'vitest';
import { block, unblock } from '../../../commands/graph/block.js';
import { isFollowing } from '../../../commands/facts.js';
import type { CommandDeps } from '../../../commands/deps.js';
import { streams } from '../../../events/streams.js';
import { commandDeps, ctx, given, givenUser, now, typesIn } from '../../support/command-fixtures.js';

// commands/graph/block.ts: a block ends the follows between the two accounts, both ways,
// including pending requests (docs/rules.md).

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';

let deps: CommandDeps;
beforeEach(async () => {
  deps = commandDeps();
  await givenUser(deps.store, { userId: ann, username: 'ann' });
  await givenUser(deps.store, { userId: bob, username: 'bob', private: true });
});

const followed = (followerId: string, followeeId: string) =>
  given(deps.store, streams.follow(followerId, followeeId), [{ type: 'Followed', data: { followerId, followeeId, followedAt: now } }]);
const requested = (followerId: string, followeeId: string) =>
  given(deps.store, streams.follow(followerId, followeeId), [{ type: 'FollowRequested', data: { followerId, followeeId, requestedAt: now } }]);
const lastOf = async (streamId: string) => (await deps.store.readStream(streamId)).at(-1);

describe('block', () => {
  it('ends the follows both ways, saying the block ended them', async () => {
    await followed(ann, bob);
    await followed(bob, ann);
    await block(deps, { blockerId: ann, username: 'bob' }, ctx);

    expect(await typesIn(deps.store, streams.block(ann, bob))).toEqual(['Blocked']);
    expect([await isFollowing(deps.store, ann, bob), await isFollowing(deps.store, bob, ann)]).toEqual([false, false]);
    for (const stream of [streams.follow(ann, bob), streams.follow(bob, ann)]) {
      expect(await lastOf(stream)).toMatchObject({ type: 'Unfollowed', data: { reason: 'blocked' } });
    }
  });

  it("cancels a pending follow request, whichever side asked", async () => {
    await requested(ann, bob);
    await block(deps, { blockerId: bob, username: 'ann' }, ctx);
    expect(await lastOf(streams.follow(ann, bob))).toMatchObject({ type: 'FollowRequestCancelled', data: { reason: 'blocked' } });
    // Nothing stood the other way, so nothing is appended there.
    expect(await typesIn(deps.store, streams.follow(bob, ann))).toEqual([]);
  });

  it('answers with the position of the last event it appended', async () => {
    await followed(bob, ann);
    const { position } = await block(deps, { blockerId: ann, username: 'bob' }, ctx);
    expect(position).toBe(await deps.store.headPosition());
  });

  it('finishes an interrupted cleanup when repeated, without a second Blocked', async () => {
    // A block whose follow cleanup never ran (the process died between the streams).
    await followed(ann, bob);
    await given(deps.store, streams.block(bob, ann), [{ type: 'Blocked', data: { blockerId: bob, blockedId: ann, blockedAt: now } }]);
    await block(deps, { blockerId: bob, username: 'ann' }, ctx);
    expect(await typesIn(deps.store, streams.block(bob, ann))).toEqual(['Blocked']);
    expect(await isFollowing(deps.store, ann, bob)).toBe(false);
  });

  it('refuses to block oneself and an unknown username, appending nothing', async () => {
    const head = await deps.store.headPosition();
    await expect(block(deps, { blockerId: ann, username: 'ann' }, ctx)).rejects.toMatchObject({ code: 'CANNOT_BLOCK_SELF' });
    await expect(block(deps, { blockerId: ann, username: 'nobody' }, ctx)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect(await deps.store.headPosition()).toBe(head);
  });
});

describe('unblock', () => {
  it('lifts the block and gives back no follow', async () => {
    await followed(ann, bob);
    await block(deps, { blockerId: ann, username: 'bob' }, ctx);
    await unblock(deps, { blockerId: ann, username: 'bob' }, ctx);
    expect(await typesIn(deps.store, streams.block(ann, bob))).toEqual(['Blocked', 'Unblocked']);
    expect(await isFollowing(deps.store, ann, bob)).toBe(false);
  });

  it('appends nothing when there is no block', async () => {
    await unblock(deps, { blockerId: ann, username: 'bob' }, ctx);
    expect(await typesIn(deps.store, streams.block(ann, bob))).toEqual([]);
  });
});
