import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../commands/deps.js';
import { answerFollowRequest } from '../../../commands/graph/follow-requests.js';
import { follow, unfollow } from '../../../commands/graph/follow.js';
import type { EventStore } from '../../../events/index.js';
import { streams } from '../../../events/streams.js';
import { commandDeps, ctx, given, givenUser, now, typesIn } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// commands/graph/follow.ts: follow a public account, ask a private one, never across a block;
// commands/graph/follow-requests.ts: the private account answers.

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const cat = '0190a000-0000-7000-8000-000000000003';

const givenUsers = async (store: EventStore) => {
  await givenUser(store, { userId: ann, username: 'ann' });
  await givenUser(store, { userId: bob, username: 'bob', private: true });
  await givenUser(store, { userId: cat, username: 'cat' });
};

let deps: CommandDeps;
beforeEach(async () => {
  deps = commandDeps();
  await givenUsers(deps.store);
});

const blocked = (store: EventStore, blockerId: string, blockedId: string) =>
  given(store, streams.block(blockerId, blockedId), [{ type: 'Blocked', data: { blockerId, blockedId, blockedAt: now } }]);

describe('follow', () => {
  it('follows a public account', async () => {
    const result = await follow(deps, { followerId: ann, username: 'cat' }, ctx);
    expect(result).toEqual({ status: 'following', position: await deps.store.headPosition() });
    expect(await typesIn(deps.store, streams.follow(ann, cat))).toEqual(['Followed']);
  });

  it('asks a private account', async () => {
    expect((await follow(deps, { followerId: ann, username: 'bob' }, ctx)).status).toBe('requested');
    expect(await typesIn(deps.store, streams.follow(ann, bob))).toEqual(['FollowRequested']);
  });

  it('changes nothing when repeated', async () => {
    await follow(deps, { followerId: ann, username: 'cat' }, ctx);
    expect((await follow(deps, { followerId: ann, username: 'cat' }, ctx)).status).toBe('following');
    expect(await typesIn(deps.store, streams.follow(ann, cat))).toEqual(['Followed']);
  });

  it('is refused across a block, whichever side blocked, appending nothing', async () => {
    await blocked(deps.store, cat, ann);
    await expect(follow(deps, { followerId: ann, username: 'cat' }, ctx)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    await expect(follow(deps, { followerId: cat, username: 'ann' }, ctx)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect([await typesIn(deps.store, streams.follow(ann, cat)), await typesIn(deps.store, streams.follow(cat, ann))]).toEqual([[], []]);
  });

  it('takes itself back when a block lands while it is being decided', async () => {
    // The block is appended right after the follow, before the handler looks again: the block's
    // cleanup could not see this follow, so the follow must end itself.
    const inner = createInMemoryEventStore();
    await givenUsers(inner);
    let raced = false;
    const store: EventStore = {
      ...inner,
      append: async (streamId, events, expected) => {
        const result = await inner.append(streamId, events, expected);
        if (streamId === streams.follow(ann, cat) && !raced) {
          raced = true;
          await blocked(inner, cat, ann);
        }
        return result;
      },
    };
    await expect(follow(commandDeps(store), { followerId: ann, username: 'cat' }, ctx)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    expect(await typesIn(inner, streams.follow(ann, cat))).toEqual(['Followed', 'Unfollowed']);
    expect((await inner.readStream(streams.follow(ann, cat))).at(-1)).toMatchObject({ data: { reason: 'blocked' } });
  });

  it('answers USER_NOT_FOUND for an unknown username', async () =>
    await expect(follow(deps, { followerId: ann, username: 'nobody' }, ctx)).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' }));
});

describe('unfollow', () => {
  it('ends a follow', async () => {
    await follow(deps, { followerId: ann, username: 'cat' }, ctx);
    expect((await unfollow(deps, { followerId: ann, username: 'cat' }, ctx)).status).toBe('none');
    expect((await deps.store.readStream(streams.follow(ann, cat))).at(-1)).toMatchObject({ type: 'Unfollowed', data: { reason: 'unfollowed' } });
  });

  it('withdraws a pending request', async () => {
    await follow(deps, { followerId: ann, username: 'bob' }, ctx);
    expect((await unfollow(deps, { followerId: ann, username: 'bob' }, ctx)).status).toBe('none');
    expect((await deps.store.readStream(streams.follow(ann, bob))).at(-1)).toMatchObject({ type: 'FollowRequestCancelled', data: { reason: 'withdrawn' } });
  });

  it('appends nothing when there is nothing to undo', async () => {
    expect((await unfollow(deps, { followerId: ann, username: 'cat' }, ctx)).status).toBe('none');
    expect(await typesIn(deps.store, streams.follow(ann, cat))).toEqual([]);
  });
});

describe('answerFollowRequest', () => {
  it("approving makes the follow, in the requester's follow stream", async () => {
    await follow(deps, { followerId: ann, username: 'bob' }, ctx);
    await answerFollowRequest(deps, { ownerId: bob, requesterUsername: 'ann', answer: 'approve' }, ctx);
    expect(await typesIn(deps.store, streams.follow(ann, bob))).toEqual(['FollowRequested', 'FollowRequestApproved', 'Followed']);
  });

  it('rejecting ends the request without a follow', async () => {
    await follow(deps, { followerId: ann, username: 'bob' }, ctx);
    await answerFollowRequest(deps, { ownerId: bob, requesterUsername: 'ann', answer: 'reject' }, ctx);
    expect(await typesIn(deps.store, streams.follow(ann, bob))).toEqual(['FollowRequested', 'FollowRequestRejected']);
  });

  it('answers FOLLOW_REQUEST_NOT_FOUND when nothing is pending', async () =>
    await expect(answerFollowRequest(deps, { ownerId: bob, requesterUsername: 'ann', answer: 'reject' }, ctx)).rejects.toMatchObject({ status: 404, code: 'FOLLOW_REQUEST_NOT_FOUND' }));
});
