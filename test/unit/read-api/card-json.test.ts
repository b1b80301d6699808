import { describe, expect, it } from 'vitest';
import { postPageJson, withMarks, withMutualFollowers, withRelationship } from '../../../read-api/card-cache.js';
import { hydratedPost, page, profile } from '../../../read-api/schemas.js';

// The card cache's JSON splices (read-api/card-cache.ts): a card's pre-serialized JSON with the
// viewer's marks or relationship is what the response schema would have serialized.

const card = JSON.stringify({
  id: 'p1',
  caption: 'c',
  hashtags: [],
  mentions: [],
  media: [{ type: 'image', url: 'https://cdn.example.com/a.jpg' }],
  createdAt: '2025-01-01T00:00:00.000Z',
  likeCount: 2,
  commentCount: 0,
  shareCount: 1,
  author: { id: 'u1', username: 'ann', displayName: 'Ann', avatar: null },
});

describe('card JSON', () => {
  // Rule: a post card with the viewer's marks is a valid post page answer, marks absent read as false.
  it('splices the viewer marks into a post card', () => {
    const post = JSON.parse(withMarks(card, { likedByMe: true, bookmarkedByMe: false }));
    expect(hydratedPost.parse(post)).toEqual(post);
    expect(post).toMatchObject({ id: 'p1', likedByMe: true, bookmarkedByMe: false });
    expect(JSON.parse(withMarks(card, undefined))).toMatchObject({ likedByMe: false, bookmarkedByMe: false });
  });

  // Rule: a page of cards is `{ items, nextCursor }` as the feed's schema answers it, each item with its own marks.
  it('assembles a page of cards with each one its marks', () => {
    const other = card.replace('"id":"p1"', '"id":"p2"');
    const marks = new Map([['p2', { likedByMe: false, bookmarkedByMe: true }]]);
    const body = JSON.parse(postPageJson([{ postId: 'p1', json: card }, { postId: 'p2', json: other }], (id) => marks.get(id), 'next'));
    expect(page(hydratedPost).parse(body)).toEqual(body);
    expect(body.items.map((item: { id: string; likedByMe: boolean; bookmarkedByMe: boolean }) => [item.id, item.likedByMe, item.bookmarkedByMe])).toEqual([
      ['p1', false, false],
      ['p2', false, true],
    ]);
    expect(body.nextCursor).toBe('next');
    expect(JSON.parse(postPageJson([], () => undefined, null))).toEqual({ items: [], nextCursor: null });
  });

  // Rule: a profile card with the relationship and the mutual followers is a valid profile answer, without blockedEitherWay (never answered).
  it('splices the relationship and the mutual followers into a profile card, leaving the block out', () => {
    const json = JSON.stringify({ id: 'u1', username: 'ann', displayName: 'Ann', avatar: null, bio: '', private: false, followerCount: 0, followingCount: 0, postCount: 0, verified: false });
    const related = withRelationship(json, { following: true, requested: false, followedBy: false, blockedEitherWay: false, muting: true });
    const body = JSON.parse(withMutualFollowers(related, { usernames: ['bob'], count: 4 }));
    expect(profile.parse(body)).toEqual(body);
    expect(body.relationship).toEqual({ following: true, requested: false, followedBy: false, muting: true });
    expect(body.mutualFollowers).toEqual({ usernames: ['bob'], count: 4 });
  });
});
