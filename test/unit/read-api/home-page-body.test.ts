import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CardBusListener } from '../../../projections/profiles/card-bus.js';
import type { PairFacts, PostCardFacts, UserCardFacts } from '../../../projections/profiles/profiles-reader.js';
import { NO_PAIR_FACTS } from '../../../projections/profiles/reader-cards.js';
import { createCardCache, type PageItem } from '../../../read-api/card-cache.js';
import { createMediaPresenter } from '../../../read-api/media-presenter.js';
import { createInMemoryMediaStorage } from '../../support/in-memory-media-storage.js';

// The warm home page's body (read-api/card-cache.ts homePageBody), made straight from the cached
// cards: it must be exactly what the cards, the rules and the page's marks and cursor give now,
// page after page, whatever changed between.

const viewer = randomUUID();
const author = randomUUID();
const other = randomUUID();
const postIds = [randomUUID(), randomUUID(), randomUUID()];

const user = (id: string, username: string, priv = false): UserCardFacts => ({
  id,
  username,
  displayName: username,
  private: priv,
  avatar: null,
  bio: '',
  followerCount: 0,
  followingCount: 0,
  postCount: 0,
  registeredAt: '2026-01-01T00:00:00.000Z',
  verified: false,
  listed: true,
});

const post = (id: string, authorId: string, caption: string): PostCardFacts => ({
  id,
  authorId,
  caption,
  hashtags: [],
  mentions: [],
  media: [{ type: 'image', url: `https://cdn.example.com/${id}.jpg` }],
  createdAt: '2026-01-01T00:00:00.000Z',
  likeCount: 0,
  commentCount: 0,
  shareCount: 0,
  taggedIds: [],
  standingTags: [],
});

const setup = () => {
  const posts = new Map<string, PostCardFacts | null>(postIds.map((id, i) => [id, post(id, i === 2 ? other : author, `post ${i}`)]));
  const users = new Map<string, UserCardFacts | null>([
    [author, user(author, 'ann')],
    [other, user(other, 'bob', true)],
  ]);
  const pairs = new Map<string, PairFacts>([
    [author, { ...NO_PAIR_FACTS, following: true }],
    [other, { ...NO_PAIR_FACTS, following: true }],
  ]);
  let listener: CardBusListener | undefined;
  const cache = createCardCache({
    profiles: () => ({
      postCards: async (ids) => new Map(ids.map((id) => [id, posts.get(id) ?? null])),
      userCards: async (ids) => new Map(ids.map((id) => [id, users.get(id) ?? null])),
      userCardByUsername: async () => null,
      pairFacts: async (of, ids) => new Map(ids.map((id) => [id, (of === viewer && pairs.get(id)) || NO_PAIR_FACTS])),
    }),
    media: createMediaPresenter(createInMemoryMediaStorage()),
    bus: {
      subscribe: (l) => {
        listener = l;
        l.live();
        return () => undefined;
      },
    },
  });
  const warm = () => cache.visiblePosts(postIds, viewer, { withoutMuted: true });
  const body = (items: PageItem[], cursor: string | null) => JSON.parse(cache.homePageBody(items, viewer, cursor)!.toString('utf8')) as { items: Record<string, unknown>[]; nextCursor: string | null };
  return { cache, posts, users, pairs, warm, body, touched: (touches: Parameters<CardBusListener['touched']>[0]) => listener!.touched(touches) };
};

const items = (liked = false): PageItem[] => postIds.map((postId) => ({ postId, likedByMe: liked, bookmarkedByMe: false }));

describe('home page body', () => {
  // Rule: visibility is decided on every read, so a page reused from its parts still changes with the cards, marks and cursor.
  it('answers what the cards, marks and cursor give now, also right after the same page was made', async () => {
    const { cache, posts, pairs, warm, body, touched } = setup();
    await warm();
    const first = cache.homePageBody(items(), viewer, null)!;
    expect(JSON.parse(first.toString('utf8')).items.map((item: { id: string }) => item.id)).toEqual(postIds);
    // The same parts: the same bytes (reused).
    expect(cache.homePageBody(items(), viewer, null)!.equals(first)).toBe(true);
    // Another cursor, other marks: not the last body.
    expect(body(items(), 'next').nextCursor).toBe('next');
    expect(body(items(true), 'next').items.every((item) => item.likedByMe === true)).toBe(true);
    expect(body(items(), null)).toMatchObject({ nextCursor: null, items: [{ likedByMe: false }, { likedByMe: false }, { likedByMe: false }] });
    // A post changed: its new card, once loaded.
    posts.set(postIds[0]!, post(postIds[0]!, author, 'edited'));
    touched({ posts: [postIds[0]!], users: [], pairs: [] });
    expect(cache.homePageBody(items(), viewer, null)).toBeUndefined();
    await warm();
    expect(body(items(), null).items[0]).toMatchObject({ id: postIds[0], caption: 'edited' });
    // The viewer stops following the private author: that post goes at once, no card reloaded but the pair's.
    pairs.set(other, NO_PAIR_FACTS);
    touched({ posts: [], users: [], pairs: [[viewer, other]] });
    await warm();
    expect(body(items(), null).items.map((item) => item.id)).toEqual(postIds.slice(0, 2));
    // A deleted post: left out.
    posts.set(postIds[1]!, null);
    touched({ posts: [postIds[1]!], users: [], pairs: [] });
    await warm();
    expect(body(items(), null).items.map((item) => item.id)).toEqual(postIds.slice(0, 1));
  });

  // Rule: one viewer's page is never another's.
  it('keeps each viewer’s page apart', async () => {
    const { cache, warm } = setup();
    await warm();
    const mine = cache.homePageBody(items(), viewer, null)!;
    const stranger = randomUUID();
    await cache.visiblePosts(postIds, stranger, { withoutMuted: true });
    // A stranger sees the public author's posts, not the private one's.
    const theirs = JSON.parse(cache.homePageBody(items(), stranger, null)!.toString('utf8')) as { items: { id: string }[] };
    expect(theirs.items.map((item) => item.id)).toEqual(postIds.slice(0, 2));
    expect(cache.homePageBody(items(), viewer, null)!.equals(mine)).toBe(true);
  });
});
