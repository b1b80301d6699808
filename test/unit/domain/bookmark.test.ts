import { describe, it } from 'vitest';
import { bookmarkDecider, type BookmarkEvent } from '../../../domain/bookmark/bookmark.js';
import type { PostFacts } from '../../../domain/post/post-facts.js';
import { deciderSpec, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(bookmarkDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const postId = '0190b000-0000-7000-8000-000000000001';
const now = '2025-03-01T10:00:00.000Z';
const usable: PostFacts = { status: 'active', authorId: ann, access: 'allowed' };

const bookmarked: BookmarkEvent = { type: 'Bookmarked', data: { userId: bob, postId, bookmarkedAt: now } };
const unbookmarked: BookmarkEvent = { type: 'Unbookmarked', data: { userId: bob, postId } };
const bookmark = (post: PostFacts = usable) => ({ type: 'Bookmark', userId: bob, postId, post, now }) as const;
const unbookmark = { type: 'Unbookmark', userId: bob, postId } as const;

describe('Bookmark', () => {
  it('saves a post', () => given([]).when(bookmark()).then([bookmarked]));
  it('emits nothing when already saved', () => given([bookmarked]).when(bookmark()).then([]));
  it('saves again after an unbookmark', () => given([bookmarked, unbookmarked]).when(bookmark()).then([bookmarked]));
  it('reports a missing post', () => given([]).when(bookmark({ status: 'missing' })).then(failsWith(404, 'POST_NOT_FOUND')));
  it('refuses a deleted post', () => given([]).when(bookmark({ status: 'deleted', authorId: ann })).then(failsWith(422, 'POST_DELETED')));
  it('refuses when a block stands between user and author', () =>
    given([]).when(bookmark({ ...usable, access: 'blocked' })).then(failsWith(404, 'POST_NOT_FOUND')));
  it("refuses a private account's post to a non-follower", () =>
    given([]).when(bookmark({ ...usable, access: 'private' })).then(failsWith(403, 'PRIVATE_ACCOUNT')));
});

describe('Unbookmark', () => {
  it('removes a saved post', () => given([bookmarked]).when(unbookmark).then([unbookmarked]));
  it('emits nothing when not saved', () => given([]).when(unbookmark).then([]));
  it('emits nothing the second time', () => given([bookmarked, unbookmarked]).when(unbookmark).then([]));
});
