import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { followDecider, type FollowEvent } from '../../../domain/follow/follow.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(followDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const eve = '0190a000-0000-7000-8000-000000000003';
const now = '2025-03-01T10:00:00.000Z';
const pair = { followerId: ann, followeeId: bob };

const requested: FollowEvent = { type: 'FollowRequested', data: { ...pair, requestedAt: now } };
const followed: FollowEvent = { type: 'Followed', data: { ...pair, followedAt: now } };
const approved: FollowEvent = { type: 'FollowRequestApproved', data: { ...pair, approvedAt: now } };

const follow = (over: { followeeIsPrivate?: boolean; blocked?: boolean } = {}) =>
  ({ type: 'Follow', ...pair, followeeIsPrivate: false, blocked: false, now, ...over }) as const;
const approve = (actorId = bob) => ({ type: 'ApproveFollowRequest', actorId, ...pair, now }) as const;
const reject = (actorId = bob) => ({ type: 'RejectFollowRequest', actorId, ...pair }) as const;
const unfollow = { type: 'Unfollow', ...pair } as const;
const endByBlock = { type: 'EndFollow', ...pair, reason: 'blocked' } as const;

describe('Follow', () => {
  it('follows a public account at once', () => given([]).when(follow()).then([followed]));
  it('asks a private account instead of following it', () => given([]).when(follow({ followeeIsPrivate: true })).then([requested]));
  it('refuses to follow yourself', () =>
    given([]).when({ ...follow(), followeeId: ann }).then(failsWith(422, 'CANNOT_FOLLOW_SELF')));
  it('refuses when a block exists either way', () => given([]).when(follow({ blocked: true })).then(failsWith(404, 'USER_NOT_FOUND')));
  it('refuses a blocked pair even when an old follow is still there', () =>
    given([followed]).when(follow({ blocked: true })).then(failsWith(404, 'USER_NOT_FOUND')));
  it('emits nothing when already following', () => given([followed]).when(follow()).then([]));
  it('emits nothing when a request is already pending', () => given([requested]).when(follow({ followeeIsPrivate: true })).then([]));
  it('follows again after an unfollow', () =>
    given([followed, { type: 'Unfollowed', data: { ...pair, reason: 'unfollowed' } }]).when(follow()).then([followed]));
});

describe('Unfollow', () => {
  it('ends a follow', () => given([followed]).when(unfollow).then([{ type: 'Unfollowed', data: { ...pair, reason: 'unfollowed' } }]));
  it('withdraws a pending request', () =>
    given([requested]).when(unfollow).then([{ type: 'FollowRequestCancelled', data: { ...pair, reason: 'withdrawn' } }]));
  it('emits nothing when there is nothing to undo', () => given([]).when(unfollow).then([]));
});

describe('ApproveFollowRequest', () => {
  it('approves a pending request and makes the follow', () => given([requested]).when(approve()).then([approved, followed]));
  it('leaves the pair following after approval', () => {
    const state = fold(followDecider, [requested, approved, followed]);
    expect(state).toEqual({ status: 'following' });
  });
  it('is only for the requested account', () => given([requested]).when(approve(eve)).then(failsWith(403, 'NOT_OWNER')));
  it('does not let the requester approve their own request', () =>
    given([requested]).when(approve(ann)).then(failsWith(403, 'NOT_OWNER')));
  it('emits nothing when already following (a repeated approval)', () => given([requested, approved, followed]).when(approve()).then([]));
  it('reports a missing request', () => given([]).when(approve()).then(failsWith(404, 'FOLLOW_REQUEST_NOT_FOUND')));
});

describe('RejectFollowRequest', () => {
  it('rejects a pending request', () => given([requested]).when(reject()).then([{ type: 'FollowRequestRejected', data: pair }]));
  it('is only for the requested account', () => given([requested]).when(reject(eve)).then(failsWith(403, 'NOT_OWNER')));
  it('reports a missing request', () => given([]).when(reject()).then(failsWith(404, 'FOLLOW_REQUEST_NOT_FOUND')));
  it('cannot reject a follow already approved', () => given([followed]).when(reject()).then(failsWith(404, 'FOLLOW_REQUEST_NOT_FOUND')));
});

describe('EndFollow (block)', () => {
  it('ends a follow', () => given([followed]).when(endByBlock).then([{ type: 'Unfollowed', data: { ...pair, reason: 'blocked' } }]));
  it('cancels a pending request', () =>
    given([requested]).when(endByBlock).then([{ type: 'FollowRequestCancelled', data: { ...pair, reason: 'blocked' } }]));
  it('emits nothing when there is no follow', () => given([]).when(endByBlock).then([]));
});

describe('evolve', () => {
  it('skips an event that is impossible in the current state instead of throwing', () => {
    const unfollowed: FollowEvent = { type: 'Unfollowed', data: { ...pair, reason: 'unfollowed' } };
    expect(followDecider.evolve({ status: 'none' }, unfollowed)).toEqual({ status: 'none' });
    expect(followDecider.evolve({ status: 'following' }, requested)).toEqual({ status: 'following' });
  });
});
