import { describe, it } from 'vitest';
import { hashtagFollowDecider, type HashtagFollowEvent } from '../../../domain/hashtag-follow/hashtag-follow.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(hashtagFollowDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const now = '2025-03-01T10:00:00.000Z';

const followed: HashtagFollowEvent = { type: 'HashtagFollowed', data: { userId: ann, tag: 'café', followedAt: now } };
const unfollowed: HashtagFollowEvent = { type: 'HashtagUnfollowed', data: { userId: ann, tag: 'café' } };
const follow = { type: 'FollowHashtag', userId: ann, tag: 'café', followed: { count: 0, max: 3 }, now } as const;
const unfollow = { type: 'UnfollowHashtag', userId: ann, tag: 'café' } as const;

describe('FollowHashtag', () => {
  it('follows', () => given([]).when(follow).then([followed]));
  it('emits nothing when already followed, even at the cap', () => given([followed]).when({ ...follow, followed: { count: 3, max: 3 } }).then([]));
  it('refuses one more tag at the cap', () => given([]).when({ ...follow, followed: { count: 3, max: 3 } }).then(failsWith(422, 'HASHTAG_FOLLOWS_LIMIT_REACHED')));
  it('follows again after an unfollow', () => given([followed, unfollowed]).when(follow).then([followed]));
  it('refuses a tag that is not normalised', () => given([]).when({ ...follow, tag: '#Café' }).then(failsWith(400, 'INVALID_HASHTAG')));
  it('refuses a tag no caption could carry', () => given([]).when({ ...follow, tag: 'dash-tag' }).then(failsWith(400, 'INVALID_HASHTAG')));
});

describe('UnfollowHashtag', () => {
  it('unfollows', () => given([followed]).when(unfollow).then([unfollowed]));
  it('emits nothing when not followed', () => given([]).when(unfollow).then([]));
  it('emits nothing after an unfollow', () => given([followed, unfollowed]).when(unfollow).then([]));
});
