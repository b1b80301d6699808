import { describe, it } from 'vitest';
import { likeDecider, type LikeEvent } from '../../../domain/like/like.js';
import type { PostFacts } from '../../../domain/post/post-facts.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(likeDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const postId = '0190b000-0000-7000-8000-000000000001';
const now = '2025-03-01T10:00:00.000Z';
const usable: PostFacts = { status: 'active', authorId: ann, access: 'allowed' };

const liked: LikeEvent = { type: 'Liked', data: { postId, userId: bob, postAuthorId: ann, likedAt: now } };
const unliked: LikeEvent = { type: 'Unliked', data: { postId, userId: bob } };
const like = (post: PostFacts = usable) => ({ type: 'Like', postId, userId: bob, post, now }) as const;
const unlike = { type: 'Unlike', postId, userId: bob } as const;

describe('Like', () => {
  it("likes a post, naming its author for the notification", () => given([]).when(like()).then([liked]));
  it('emits nothing when already liked', () => given([liked]).when(like()).then([]));
  it('likes again after an unlike', () => given([liked, unliked]).when(like()).then([liked]));
  it('lets authors like their own post', () =>
    given([]).when({ ...like(), userId: ann }).then([{ type: 'Liked', data: { ...liked.data, userId: ann } }]));
  it('reports a missing post', () => given([]).when(like({ status: 'missing' })).then(failsWith(404, 'POST_NOT_FOUND')));
  it('refuses a deleted post', () => given([]).when(like({ status: 'deleted', authorId: ann })).then(failsWith(422, 'POST_DELETED')));
  it('refuses a deleted post even when already liked', () =>
    given([liked]).when(like({ status: 'deleted', authorId: ann })).then(failsWith(422, 'POST_DELETED')));
  it('refuses when a block stands between liker and author', () =>
    given([]).when(like({ ...usable, access: 'blocked' })).then(failsWith(404, 'POST_NOT_FOUND')));
  it("refuses a private account's post to a non-follower", () =>
    given([]).when(like({ ...usable, access: 'private' })).then(failsWith(403, 'PRIVATE_ACCOUNT')));
});

describe('Unlike', () => {
  it('takes a like back', () => given([liked]).when(unlike).then([unliked]));
  it('emits nothing when not liked', () => given([]).when(unlike).then([]));
  it('emits nothing the second time', () => given([liked, unliked]).when(unlike).then([]));
});
