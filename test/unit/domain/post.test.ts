import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/decider.js';
import { assertPostUsable, postFacts } from '../../../domain/post/post-facts.js';
import { postDecider, type CreatePost, type PostEvent, type PostState } from '../../../domain/post/post.js';
import type { MediaItem, PostMediaItem } from '../../../events/index.js';
import { deciderSpec, domainErrorOf, failsWith } from '../../support/decider-spec.js';

const { given } = deciderSpec(postDecider);

const ann = '0190a000-0000-7000-8000-000000000001';
const bob = '0190a000-0000-7000-8000-000000000002';
const postId = '0190b000-0000-7000-8000-000000000001';
const createdAt = '2025-03-01T10:00:00.000Z';
const later = '2025-03-01T11:00:00.000Z';
const photo: MediaItem = { url: 'media/a.jpg', type: 'image', width: 1080, height: 1350 };

const created: PostEvent = {
  type: 'PostCreated',
  data: { postId, authorId: ann, caption: 'Sunset #beach with @bob', hashtags: ['beach'], mentions: ['bob'], media: [photo], createdAt },
};
const deleted: PostEvent = { type: 'PostDeleted', data: { postId, authorId: ann, deletedAt: later } };

const create = (over: Partial<CreatePost> = {}): CreatePost => ({
  type: 'CreatePost',
  postId,
  authorId: ann,
  caption: 'Sunset #beach with @bob',
  media: [photo],
  now: createdAt,
  ...over,
});
const edit = (caption: string, actorId = ann) => ({ type: 'EditCaption', postId, actorId, caption, now: later }) as const;
const remove = (actorId = ann) => ({ type: 'DeletePost', postId, actorId, now: later }) as const;

describe('CreatePost', () => {
  it('creates a post with the hashtags and mentions of its caption', () => given([]).when(create()).then([created]));
  it('stores the caption trimmed', () => given([]).when(create({ caption: '  Sunset #beach with @bob \n' })).then([created]));
  it('takes a carousel of ten', () => {
    const media = Array.from({ length: 10 }, () => photo);
    given([]).when(create({ media })).then([{ ...created, data: { ...created.data, media } } as PostEvent]);
  });
  it('refuses a post that exists', () => given([created]).when(create()).then(failsWith(409, 'POST_EXISTS')));
  it('refuses a caption past a limit', () => given([]).when(create({ caption: 'x'.repeat(2201) })).then(failsWith(400, 'CAPTION_TOO_LONG')));
});

describe('EditCaption', () => {
  it('replaces the caption and its hashtags and mentions', () =>
    given([created])
      .when(edit('Night #City #night'))
      .then([{ type: 'CaptionEdited', data: { postId, authorId: ann, caption: 'Night #City #night', hashtags: ['city', 'night'], mentions: [], editedAt: later } }]));
  it('emits nothing for the same caption', () => given([created]).when(edit(' Sunset #beach with @bob ')).then([]));
  it('is for the author only', () => given([created]).when(edit('mine now', bob)).then(failsWith(403, 'NOT_AUTHOR')));
  it('reports a missing post', () => given([]).when(edit('hello')).then(failsWith(404, 'POST_NOT_FOUND')));
  it('refuses a deleted post', () => given([created, deleted]).when(edit('too late')).then(failsWith(422, 'POST_DELETED')));
  it('refuses a caption past a limit', () =>
    given([created]).when(edit(Array.from({ length: 21 }, (_, i) => `@u${i}`).join(' '))).then(failsWith(400, 'TOO_MANY_MENTIONS')));
  it('keeps the new caption in the state', () => {
    const [edited] = postDecider.decide(edit('Night'), postDecider.evolve(postDecider.initialState(), created));
    const state = fold(postDecider, [created, edited!]);
    expect(state).toMatchObject({ status: 'active', caption: 'Night', hashtags: [], mentions: [] });
  });
});

describe('DeletePost', () => {
  it('deletes the post', () => given([created]).when(remove()).then([deleted]));
  it('emits nothing the second time', () => given([created, deleted]).when(remove()).then([]));
  it('is for the author only', () => given([created]).when(remove(bob)).then(failsWith(403, 'NOT_AUTHOR')));
  it('does not let a stranger probe a deleted post', () => given([created, deleted]).when(remove(bob)).then(failsWith(403, 'NOT_AUTHOR')));
  it('reports a missing post', () => given([]).when(remove()).then(failsWith(404, 'POST_NOT_FOUND')));
});

describe('user tags (docs/rules.md "User tags")', () => {
  const cat = '0190a000-0000-7000-8000-000000000003';
  const tag = (userId: string | null, over: { blockedEitherWay?: boolean; x?: number } = {}) => ({
    username: 'someone',
    x: over.x ?? 0.5,
    y: 0.25,
    userId,
    blockedEitherWay: over.blockedEitherWay ?? false,
  });
  const taggedCreated = (media: PostMediaItem[]) => ({ ...created, data: { ...created.data, media } }) as PostEvent;
  const onTwo = taggedCreated([
    { ...photo, tags: [{ userId: bob, x: 0.5, y: 0.25 }, { userId: cat, x: 0.5, y: 0.25 }] },
    { ...photo, tags: [{ userId: bob, x: 0.5, y: 0.25 }] },
  ]);
  const removed = (userId: string): PostEvent => ({ type: 'TagRemoved', data: { postId, authorId: ann, userId, removedAt: later } });

  it('puts the tags, ids only, on their items; an item without tags carries none', () =>
    given([])
      .when(create({ media: [photo, photo], tags: [[], [tag(bob)]] }))
      .then([taggedCreated([photo, { ...photo, tags: [{ userId: bob, x: 0.5, y: 0.25 }] }])]));
  it('lets the author tag themself', () =>
    given([]).when(create({ tags: [[tag(ann)]] })).then([taggedCreated([{ ...photo, tags: [{ userId: ann, x: 0.5, y: 0.25 }] }])]));
  it('refuses an unknown account 404 USER_NOT_FOUND', () => given([]).when(create({ tags: [[tag(null)]] })).then(failsWith(404, 'USER_NOT_FOUND')));
  it('refuses a blocked account exactly as an unknown one, naming the tag', () => {
    const blocked = domainErrorOf(() => postDecider.decide(create({ media: [photo, photo], tags: [[], [tag(bob), tag(cat, { blockedEitherWay: true })]] }), { status: 'none' }));
    const unknown = domainErrorOf(() => postDecider.decide(create({ media: [photo, photo], tags: [[], [tag(bob), tag(null)]] }), { status: 'none' }));
    expect([blocked.status, blocked.code, blocked.message, blocked.details]).toEqual([unknown.status, unknown.code, unknown.message, unknown.details]);
    expect(blocked.details).toEqual([{ path: 'media.1.tags.1.username', message: 'no such user' }]);
  });
  it('refuses one account twice on an item 400 DUPLICATE_TAG, and takes it on two items', () => {
    given([]).when(create({ tags: [[tag(bob), tag(bob, { x: 0.9 })]] })).then(failsWith(400, 'DUPLICATE_TAG'));
    given([])
      .when(create({ media: [photo, photo], tags: [[tag(bob), tag(cat)], [tag(bob)]] }))
      .then([onTwo]);
  });
  it('the tagged person takes themself off every item', () => given([onTwo]).when({ type: 'RemoveTag', postId, actorId: bob, userId: bob, now: later }).then([removed(bob)]));
  it('the author takes someone off', () => given([onTwo]).when({ type: 'RemoveTag', postId, actorId: ann, userId: cat, now: later }).then([removed(cat)]));
  it('no one else may', () => given([onTwo]).when({ type: 'RemoveTag', postId, actorId: cat, userId: bob, now: later }).then(failsWith(403, 'NOT_AUTHOR')));
  it('not tagged (any more), or a deleted post: nothing to do', () => {
    given([onTwo, removed(bob)]).when({ type: 'RemoveTag', postId, actorId: bob, userId: bob, now: later }).then([]);
    given([created]).when({ type: 'RemoveTag', postId, actorId: bob, userId: bob, now: later }).then([]);
    given([onTwo, deleted]).when({ type: 'RemoveTag', postId, actorId: bob, userId: bob, now: later }).then([]);
  });
  it('taking oneself off an unknown post is a no-op too (it tells nothing of the post); the author route on one is 404 POST_NOT_FOUND', () => {
    given([]).when({ type: 'RemoveTag', postId, actorId: bob, userId: bob, now: later }).then([]);
    given([]).when({ type: 'RemoveTag', postId, actorId: ann, userId: bob, now: later }).then(failsWith(404, 'POST_NOT_FOUND'));
  });
  it('evolves TagRemoved into items without that person, an emptied item without tags', () => {
    const state = fold(postDecider, [onTwo, removed(bob)]);
    expect(state.status === 'active' && state.media.map((item) => item.tags)).toEqual([[{ userId: cat, x: 0.5, y: 0.25 }], undefined]);
  });
});

describe('evolve', () => {
  it('skips an event that cannot follow the state instead of failing the read', () => {
    const state = fold(postDecider, [created, deleted, deleted, created]);
    expect(state.status).toBe('deleted');
  });
});

describe('post facts', () => {
  const active = postDecider.evolve(postDecider.initialState(), created);
  const gone = postDecider.evolve(active, deleted);
  const none: PostState = { status: 'none' };

  it('derives the facts from the post state', () => {
    expect(postFacts(none, 'allowed')).toEqual({ status: 'missing' });
    expect(postFacts(gone, 'allowed')).toEqual({ status: 'deleted', authorId: ann });
    expect(postFacts(active, 'private')).toEqual({ status: 'active', authorId: ann, access: 'private' });
  });
  it('returns the author of a usable post', () => expect(assertPostUsable(postFacts(active, 'allowed'))).toBe(ann));
  it.each([
    ['missing', postFacts(none, 'allowed'), 404, 'POST_NOT_FOUND'],
    ['deleted', postFacts(gone, 'allowed'), 422, 'POST_DELETED'],
    ['blocked (answered as missing)', postFacts(active, 'blocked'), 404, 'POST_NOT_FOUND'],
    ['private', postFacts(active, 'private'), 403, 'PRIVATE_ACCOUNT'],
  ] as const)('refuses a %s post', (_, facts, status, code) => {
    const error = domainErrorOf(() => assertPostUsable(facts));
    expect([error.status, error.code]).toEqual([status, code]);
  });
});
