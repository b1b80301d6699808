import { describe, expect, it } from 'vitest';
import { commentDecider, type AddComment, type CommentEvent } from '../../../domain/comment/comment.js';
import { commentFacts } from '../../../domain/comment/comment-facts.js';
import type { PostFacts } from '../../../domain/post/post-facts.js';
import { deciderSpec, domainErrorOf, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(commentDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const eve = '0190a000-0000-7000-8000-000000000003';
const postId = '0190b000-0000-7000-8000-000000000001';
const otherPostId = '0190b000-0000-7000-8000-000000000002';
const commentId = '0190c000-0000-7000-8000-000000000001';
const parentId = '0190c000-0000-7000-8000-000000000002';
const now = '2025-03-01T10:00:00.000Z';
const later = '2025-03-01T11:00:00.000Z';
const usable: PostFacts = { status: 'active', authorId: ann, access: 'allowed' };

// bob comments on ann's post
const add = (over: Partial<AddComment> = {}): AddComment => ({
  type: 'AddComment',
  commentId,
  postId,
  authorId: bob,
  text: 'Lovely, @Ann!',
  parentCommentId: null,
  post: usable,
  parent: null,
  now,
  ...over,
});
const added: CommentEvent = {
  type: 'CommentAdded',
  data: { commentId, postId, authorId: bob, postAuthorId: ann, parentCommentId: null, text: 'Lovely, @Ann!', mentions: ['ann'], createdAt: now },
};
const deletedBy = (actorId: string): CommentEvent => ({ type: 'CommentDeleted', data: { commentId, postId, deletedBy: actorId, deletedAt: later } });
const remove = (actorId: string) => ({ type: 'DeleteComment', commentId, actorId, now: later }) as const;

describe('AddComment', () => {
  it('adds a comment with the accounts it mentions', () => given([]).when(add()).then([added]));
  it('stores the text trimmed', () => given([]).when(add({ text: '\n  Lovely, @Ann!  ' })).then([added]));
  it('adds a reply to a comment on the same post', () =>
    given([])
      .when(add({ parentCommentId: parentId, parent: { status: 'active', postId } }))
      .then([{ type: 'CommentAdded', data: { ...added.data, parentCommentId: parentId } }]));
  it('refuses a comment id already used', () => given([added]).when(add()).then(failsWith(409, 'COMMENT_EXISTS')));
  it('refuses blank text, naming the text field', () => {
    const error = domainErrorOf(() => commentDecider.decide(add({ text: ' \n\t ' }), commentDecider.initialState()));
    expect([error.status, error.code, error.details.map((d) => d.path)]).toEqual([400, 'COMMENT_EMPTY', ['text']]);
  });
  it('accepts 2,200 characters and refuses 2,201', () => {
    expect(commentDecider.decide(add({ text: '😀'.repeat(2200) }), commentDecider.initialState())).toHaveLength(1);
    given([]).when(add({ text: 'x'.repeat(2201) })).then(failsWith(400, 'COMMENT_TOO_LONG'));
  });
  it('accepts 20 mentions and refuses 21', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `@u${i}`).join(' ');
    expect(commentDecider.decide(add({ text: names(20) }), commentDecider.initialState())).toHaveLength(1);
    given([]).when(add({ text: names(21) })).then(failsWith(400, 'TOO_MANY_MENTIONS'));
  });
  it('reports a missing post', () => given([]).when(add({ post: { status: 'missing' } })).then(failsWith(404, 'POST_NOT_FOUND')));
  it('refuses a deleted post', () => given([]).when(add({ post: { status: 'deleted', authorId: ann } })).then(failsWith(422, 'POST_DELETED')));
  it('refuses when a block stands between commenter and author', () =>
    given([]).when(add({ post: { ...usable, access: 'blocked' } })).then(failsWith(404, 'POST_NOT_FOUND')));
  it("refuses a private account's post to a non-follower", () =>
    given([]).when(add({ post: { ...usable, access: 'private' } })).then(failsWith(403, 'PRIVATE_ACCOUNT')));
  it('reports a missing parent', () =>
    given([]).when(add({ parentCommentId: parentId, parent: { status: 'missing' } })).then(failsWith(404, 'COMMENT_NOT_FOUND')));
  it('treats a parent the handler did not find as missing', () =>
    given([]).when(add({ parentCommentId: parentId, parent: null })).then(failsWith(404, 'COMMENT_NOT_FOUND')));
  it('refuses a reply to a deleted comment', () =>
    given([]).when(add({ parentCommentId: parentId, parent: { status: 'deleted' } })).then(failsWith(422, 'COMMENT_DELETED')));
  it('refuses a reply to a comment on another post, naming parentCommentId', () => {
    const command = add({ parentCommentId: parentId, parent: { status: 'active', postId: otherPostId } });
    const error = domainErrorOf(() => commentDecider.decide(command, commentDecider.initialState()));
    expect([error.status, error.code, error.details.map((d) => d.path)]).toEqual([400, 'PARENT_ON_OTHER_POST', ['parentCommentId']]);
  });
  it('ignores parent facts on a top-level comment', () => given([]).when(add({ parent: { status: 'deleted' } })).then([added]));
});

describe('DeleteComment', () => {
  it("lets the comment's author delete it", () => given([added]).when(remove(bob)).then([deletedBy(bob)]));
  it("lets the post's author delete it", () => given([added]).when(remove(ann)).then([deletedBy(ann)]));
  it('refuses anyone else', () => given([added]).when(remove(eve)).then(failsWith(403, 'NOT_ALLOWED')));
  it('emits nothing the second time', () => given([added, deletedBy(ann)]).when(remove(bob)).then([]));
  it('reports a missing comment', () => given([]).when(remove(bob)).then(failsWith(404, 'COMMENT_NOT_FOUND')));
});

describe('comment facts', () => {
  it('derive from the comment state', () => {
    const active = commentDecider.evolve(commentDecider.initialState(), added);
    expect(commentFacts(commentDecider.initialState())).toEqual({ status: 'missing' });
    expect(commentFacts(active)).toEqual({ status: 'active', postId });
    expect(commentFacts(commentDecider.evolve(active, deletedBy(bob)))).toEqual({ status: 'deleted' });
  });
});
