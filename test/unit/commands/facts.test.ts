import { beforeEach, describe, expect, it } from 'vitest';
import { findUserByUsername, isBlockedEitherWay, isFollowing, loadAccess, loadPostFacts, loadUser } from '../../../commands/facts.js';
import type { EventStore } from '../../../events/index.js';
import { streams } from '../../../events/streams.js';
import { given, givenUser, now } from '../../support/command-fixtures.js';
import { createInMemoryEventStore } from '../../support/in-memory-event-store.js';

// The facts a handler reads from streams other than the one it appends to (commands/facts.ts).

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const cat = '0190a000-0000-7000-8000-000000000003';
const postId = '0190b000-0000-7000-8000-000000000001';

let store: EventStore;
beforeEach(async () => {
  store = createInMemoryEventStore();
  await givenUser(store, { userId: ann, username: 'ann' });
  await givenUser(store, { userId: bob, username: 'bob', private: true });
});

const block = (blockerId: string, blockedId: string) =>
  given(store, streams.block(blockerId, blockedId), [{ type: 'Blocked', data: { blockerId, blockedId, blockedAt: now } }]);
const unblock = (blockerId: string, blockedId: string) =>
  given(store, streams.block(blockerId, blockedId), [{ type: 'Unblocked', data: { blockerId, blockedId } }]);
const followed = (followerId: string, followeeId: string) =>
  given(store, streams.follow(followerId, followeeId), [{ type: 'Followed', data: { followerId, followeeId, followedAt: now } }]);
const requested = (followerId: string, followeeId: string) =>
  given(store, streams.follow(followerId, followeeId), [{ type: 'FollowRequested', data: { followerId, followeeId, requestedAt: now } }]);

describe('loadUser', () => {
  it("folds the user's stream", async () =>
    expect(await loadUser(store, bob)).toEqual({ status: 'active', userId: bob, username: 'bob', displayName: 'bob', bio: '', private: true, avatarId: null, verified: false }));
  it('knows no user without a stream', async () => expect(await loadUser(store, cat)).toEqual({ status: 'none' }));
});

describe('findUserByUsername', () => {
  it('finds the holder of a username, whatever its case and surrounding spaces', async () =>
    expect(await findUserByUsername(store, ' ANN ')).toMatchObject({ status: 'active', userId: ann, username: 'ann' }));
  it('answers USER_NOT_FOUND for a username nobody holds', async () =>
    await expect(findUserByUsername(store, 'nobody')).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' }));
  it('answers USER_NOT_FOUND for a reservation whose registration never completed', async () => {
    await given(store, streams.username('cat'), [{ type: 'UsernameReserved', data: { username: 'cat', userId: cat } }]);
    await expect(findUserByUsername(store, 'cat')).rejects.toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
  });
});

describe('isBlockedEitherWay', () => {
  it('is false without a block', async () => expect(await isBlockedEitherWay(store, ann, bob)).toBe(false));
  it('reads both directions', async () => {
    await block(bob, ann);
    expect([await isBlockedEitherWay(store, ann, bob), await isBlockedEitherWay(store, bob, ann)]).toEqual([true, true]);
  });
  it('is false again once unblocked', async () => {
    await block(ann, bob);
    await unblock(ann, bob);
    expect(await isBlockedEitherWay(store, ann, bob)).toBe(false);
  });
});

describe('isFollowing', () => {
  it('is true for a follow, in its direction only', async () => {
    await followed(ann, bob);
    expect([await isFollowing(store, ann, bob), await isFollowing(store, bob, ann)]).toEqual([true, false]);
  });
  it('is false for a pending request', async () => {
    await requested(ann, bob);
    expect(await isFollowing(store, ann, bob)).toBe(false);
  });
});

describe('loadAccess', () => {
  it('lets anyone see a public account', async () => expect(await loadAccess(store, bob, ann)).toBe('allowed'));
  it("lets an owner see their own private account", async () => expect(await loadAccess(store, bob, bob)).toBe('allowed'));
  it('hides a private account from a non-follower, even one with a pending request', async () => {
    await requested(ann, bob);
    expect(await loadAccess(store, ann, bob)).toBe('private');
  });
  it('shows a private account to a follower', async () => {
    await followed(ann, bob);
    expect(await loadAccess(store, ann, bob)).toBe('allowed');
  });
  it('refuses either side of a block, even over a follow still on record', async () => {
    await followed(ann, bob);
    await block(bob, ann);
    expect([await loadAccess(store, ann, bob), await loadAccess(store, bob, ann)]).toEqual(['blocked', 'blocked']);
  });
});

describe('loadPostFacts', () => {
  const created = (authorId: string) =>
    given(store, streams.post(postId), [
      { type: 'PostCreated', data: { postId, authorId, caption: '', hashtags: [], mentions: [], media: [{ url: 'media/a.jpg', type: 'image' }], createdAt: now } },
    ]);

  it('reports a post that does not exist as missing', async () => expect(await loadPostFacts(store, ann, postId)).toEqual({ status: 'missing' }));
  it("gives an active post's author and the actor's access to them", async () => {
    await created(bob);
    expect(await loadPostFacts(store, ann, postId)).toEqual({ status: 'active', authorId: bob, access: 'private' });
    expect(await loadPostFacts(store, bob, postId)).toEqual({ status: 'active', authorId: bob, access: 'allowed' });
  });
  it('reports a deleted post with its author', async () => {
    await created(ann);
    await given(store, streams.post(postId), [{ type: 'PostDeleted', data: { postId, authorId: ann, deletedAt: now } }]);
    expect(await loadPostFacts(store, bob, postId)).toEqual({ status: 'deleted', authorId: ann });
  });
});
