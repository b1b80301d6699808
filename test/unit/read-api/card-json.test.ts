import { describe, expect, it } from 'vitest';
import { cardJson, postPageBody, postPageJson, withMarks, withMutualFollowers, withRelationship } from '../../../read-api/card-cache.js';
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

  // Rule: the home feed's body assembled from the cards' encoded JSON is postPageJson's answer byte
  // for byte, whatever the cards hold (non-ASCII and astral text, quotes, backslashes, control
  // characters, null fields, a location or none) and whatever the marks (via included).
  it('assembles the same bytes from the encoded cards as the page JSON', () => {
    const post = (id: string, { displayName = 'Ann', ...fields }: Record<string, unknown>) =>
      JSON.stringify({
        id,
        caption: '',
        hashtags: [],
        mentions: [],
        media: [{ type: 'image', url: `https://cdn.example.com/${id}.jpg` }],
        createdAt: '2025-01-01T00:00:00.000Z',
        likeCount: 0,
        commentCount: 0,
        shareCount: 0,
        ...fields,
        author: { id: 'u1', username: 'ann', displayName, avatar: null },
      });
    const cards = [
      post('p1', { caption: 'plain' }),
      post('p2', { caption: 'café, 東京, emoji 📷🏳️‍🌈 and a lone surrogate \ud800', hashtags: ['été'], displayName: 'Zoë «Z»' }),
      post('p3', { caption: 'say "hi" \\ back\nslash \u0000 \u001f \u2028', mentions: ['bob'] }),
      post('p4', { location: { id: 'l1', name: 'São Paulo "SP"' }, likeCount: 1234567, displayName: '' }),
      post('p5', { media: [], caption: '' }),
    ].map((json, i) => ({ postId: `p${i + 1}`, ...cardJson(json) }));
    const marks = new Map([
      ['p1', { likedByMe: true, bookmarkedByMe: false }],
      ['p2', { likedByMe: false, bookmarkedByMe: true }],
      ['p3', { likedByMe: true, bookmarkedByMe: true, via: 'ünï "tag"' }],
      ['p4', { likedByMe: false, bookmarkedByMe: false, via: 'cats' }],
    ]);
    const marksOf = (id: string) => marks.get(id);
    for (const cursor of [null, 'eyJzIjoxfQ', 'a "quoted" ü cursor']) {
      for (const items of [cards, cards.slice(1, 2), [], [...cards].reverse()]) {
        const body = postPageBody(items, marksOf, cursor);
        const json = postPageJson(items, marksOf, cursor);
        expect(body.equals(Buffer.from(json, 'utf8'))).toBe(true);
        expect(JSON.parse(body.toString('utf8'))).toEqual(JSON.parse(json));
      }
    }
    const one = JSON.parse(postPageBody(cards, marksOf, null).toString('utf8'));
    expect(page(hydratedPost).parse(one)).toEqual(one);
    expect(one.items.map((item: { likedByMe: boolean; bookmarkedByMe: boolean; via?: { hashtag: string } }) => [item.likedByMe, item.bookmarkedByMe, item.via?.hashtag])).toEqual([
      [true, false, undefined],
      [false, true, undefined],
      [true, true, 'ünï "tag"'],
      [false, false, 'cats'],
      [false, false, undefined],
    ]);
  });
});
