import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../events/index.js';
import { streams } from '../../events/index.js';
import { createPostgresSearchStore } from '../../projections/search/postgres/store.js';
import { EXPLORE_CANDIDATES_PER_LIST, exploreDay, PLACES_NAME_CANDIDATES, PLACES_NEAREST_CANDIDATES, SEARCH_RANKED_CANDIDATES } from '../../projections/search/query-bounds.js';
import { locationOf, type PlaceInput } from '../../domain/location/location.js';
import type { SearchStore } from '../../projections/search/search-store.js';
import { allPages } from '../support/all-pages.js';
import { syntheticPosition } from '../support/history-arbitraries.js';
import { explainAnalyze, recordingPool, rowsReadFrom } from '../support/explain-plan.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// F12 on PostgreSQL: the work of one search, explore or hashtag 'top' page is bounded by the
// constants of query-bounds.ts, whatever the number of matching posts. Checked by what the
// statements really read (EXPLAIN ANALYZE of the statement the store sent, rows x loops per
// scan of the posts tables), never by time, and by the answers: what lies past a bound is left
// out, what lies within it is in its exact order.

const T0 = Date.parse('2025-06-01T00:00:00.000Z');
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

let db: TestDatabase;
let store: SearchStore;
/** Every statement the store sent through the pool, with its parameters. */
const sent: { text: string; values: unknown[] }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const recording = recordingPool(db.pool, sent);
  store = createPostgresSearchStore(recording);
  await store.setup();
});
afterAll(async () => {
  await db.drop();
});

let position = 0;
const event = (type: string, data: object, streamId: string): RecordedEvent => ({
  eventId: uuidv7(),
  type,
  schemaVersion: type === 'PostCreated' ? 3 : 1,
  data,
  metadata: { correlationId: uuidv7(), causationId: null, actorId: null, occurredAt: iso(T0) },
  streamId,
  streamRevision: 0,
  position: syntheticPosition(++position),
  recordedAt: iso(T0),
});
const post = (postId: string, caption: string, hashtags: string[], createdAt: number) =>
  event('PostCreated', { postId, authorId: uuidv7(), caption, hashtags, mentions: [], media: [{ url: 'm.jpg', type: 'image' }], createdAt: iso(createdAt) }, streams.post(postId));
const postAt = (postId: string, place: PlaceInput, createdAt: number) =>
  event(
    'PostCreated',
    { postId, authorId: uuidv7(), caption: '', hashtags: [], mentions: [], media: [{ url: 'm.jpg', type: 'image' }], createdAt: iso(createdAt), location: locationOf(place) },
    streams.post(postId),
  );
const like = (postId: string) => {
  const userId = uuidv7();
  return event('Liked', { postId, userId, postAuthorId: uuidv7(), likedAt: iso(T0) }, streams.like(postId, userId));
};
const apply = (events: RecordedEvent[]) => store.apply(events, 'search', events.at(-1)!.position);

/** The plan of the last statement sent whose text contains `marker`. */
const lastPlan = (marker: string) => explainAnalyze(db.pool, sent.findLast((s) => s.text.includes(marker))!);

describe('PostgreSQL search: work per page bounded (query-bounds.ts)', () => {
  it(`ranks only the ${SEARCH_RANKED_CANDIDATES} newest matches of a text search, never every match`, async () => {
    const count = SEARCH_RANKED_CANDIDATES + 20;
    // The oldest posts say the word three times: ranked over every match they would come first.
    const ids = Array.from({ length: count }, () => uuidv7());
    await apply(ids.map((id, i) => post(id, i >= SEARCH_RANKED_CANDIDATES ? 'common common common' : `common word ${i}`, [], T0 - i * MINUTE)));
    const found = await allPages((page) => store.searchPosts('common', page), 100);
    expect(found).toHaveLength(SEARCH_RANKED_CANDIDATES);
    expect(new Set(found)).toEqual(new Set(ids.slice(0, SEARCH_RANKED_CANDIDATES)));
    const ranked = await lastPlan('ts_rank');
    expect(Math.max(...ranked.filter((n) => n['Node Type'] === 'Limit').map((n) => n['Actual Rows']))).toBeLessThanOrEqual(SEARCH_RANKED_CANDIDATES);
    // A word only the old posts have still finds them (the bound is per query, not on the index).
    await apply([post(uuidv7(), 'rare', [], T0 - 10 * 24 * 60 * MINUTE)]);
    expect((await store.searchPosts('rare', {})).items).toHaveLength(1);
  });

  it("reads a page of a tag's 'top' as an index range (no sort of the tag's posts), in engagement order", async () => {
    const ids = Array.from({ length: 300 }, () => uuidv7());
    await apply(ids.map((id, i) => post(id, '#crowded', ['crowded'], T0 - i * MINUTE)));
    // Post i gets i % 7 likes: the order is by likes, then newest (smaller i) first.
    await apply(ids.flatMap((id, i) => Array.from({ length: i % 7 }, () => like(id))));
    const expected = ids.map((id, i) => ({ id, likes: i % 7, i })).sort((a, b) => b.likes - a.likes || a.i - b.i).map((p) => p.id);
    const first = await store.postsByHashtag('crowded', 'top', { limit: 20 });
    expect(first.items).toEqual(expected.slice(0, 20));
    const second = await store.postsByHashtag('crowded', 'top', { cursor: first.nextCursor!, limit: 20 });
    expect(second.items).toEqual(expected.slice(20, 40));
    const plan = await lastPlan('order by engagement desc');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(rowsReadFrom(plan, 'search_post_tags')).toBeLessThanOrEqual(21);
    expect(rowsReadFrom(plan, 'search_posts')).toBe(0);
  });

  it("reads a page of a location's 'top' and 'recent' as index ranges, in engagement order", async () => {
    const place = { name: 'Crowded Square', lat: 10, lon: 10 };
    const ids = Array.from({ length: 300 }, () => uuidv7());
    await apply(ids.map((id, i) => postAt(id, place, T0 - i * MINUTE)));
    await apply(ids.flatMap((id, i) => Array.from({ length: i % 7 }, () => like(id))));
    const expected = ids.map((id, i) => ({ id, likes: i % 7, i })).sort((a, b) => b.likes - a.likes || a.i - b.i).map((p) => p.id);
    const { id } = locationOf(place);
    const first = await store.postsByLocation(id, 'top', { limit: 20 });
    expect(first.items).toEqual(expected.slice(0, 20));
    const second = await store.postsByLocation(id, 'top', { cursor: first.nextCursor!, limit: 20 });
    expect(second.items).toEqual(expected.slice(20, 40));
    const top = await lastPlan('location_id = $1');
    expect(top.map((n) => n['Node Type'])).not.toEqual(expect.arrayContaining([expect.stringMatching(/Sort/)]));
    expect(rowsReadFrom(top, 'search_posts')).toBeLessThanOrEqual(21);
    const recent = await store.postsByLocation(id, 'recent', { cursor: (await store.postsByLocation(id, 'recent', { limit: 20 })).nextCursor!, limit: 20 });
    expect(recent.items).toEqual(ids.slice(20, 40));
    const plan = await lastPlan('location_id = $1');
    expect(plan.map((n) => n['Node Type'])).not.toEqual(expect.arrayContaining([expect.stringMatching(/Sort/)]));
    expect(rowsReadFrom(plan, 'search_posts')).toBeLessThanOrEqual(21);
  });

  it('proposes a bounded number of places per search, by name and nearby, whatever the number of places', async () => {
    const count = 2 * (PLACES_NAME_CANDIDATES + PLACES_NEAREST_CANDIDATES);
    await apply(Array.from({ length: count }, (_, i) => postAt(uuidv7(), { name: `Corner Shop ${i}`, lat: 20 + i / 1000, lon: 20 }, T0)));
    const hits = await store.searchPlaces({ text: 'corner shop', near: { lat: 20, lon: 20, radiusKm: 50 }, limit: 20 });
    // The nearest first: shop 0 is at the point, shop i about 111 m x i away.
    expect(hits.map((hit) => hit.name)).toEqual(Array.from({ length: 20 }, (_, i) => `Corner Shop ${i}`));
    const plan = await lastPlan('OPERATOR(');
    expect(rowsReadFrom(plan, 'search_locations')).toBeLessThanOrEqual(2 * PLACES_NAME_CANDIDATES + PLACES_NEAREST_CANDIDATES);
  });

  it('scores only the bounded candidates of explore, whatever the number of posts in its window', async () => {
    const count = 3 * EXPLORE_CANDIDATES_PER_LIST;
    const dayStart = Math.floor(T0 / 86_400_000) * 86_400_000 + 30 * 86_400_000;
    const now = dayStart + 86_400_000 - 1;
    const ids = Array.from({ length: count }, () => uuidv7());
    await apply(ids.map((id, i) => post(id, 'one day', [], now - i * MINUTE)));
    await apply(ids.flatMap((id, i) => (i % 3 === 0 ? [like(id)] : [])));
    const page = await store.explore(new Date(now), { limit: 20 });
    expect(page.items).toHaveLength(20);
    const plan = await lastPlan('generate_series');
    // The newest list and the one day's most engaged list, each at most the bound.
    expect(rowsReadFrom(plan, 'search_posts')).toBeLessThanOrEqual(2 * EXPLORE_CANDIDATES_PER_LIST);
  });

  it('a deployment from before these columns gets them at setup, filled from what its tables hold', async () => {
    const [secret, open] = [uuidv7(), uuidv7()];
    const [a, b] = [uuidv7(), uuidv7()];
    const created = (postId: string, authorId: string) =>
      event('PostCreated', { postId, authorId, caption: '#migrated', hashtags: ['migrated'], mentions: [], media: [{ url: 'm.jpg', type: 'image' }], createdAt: iso(T0) }, streams.post(postId));
    await apply([
      event('PrivacyChanged', { userId: secret, private: true }, streams.user(secret)),
      created(a, secret),
      created(b, open),
      like(b),
    ]);
    const observe = async () => ({
      suggested: await store.suggestHashtags('migrated', 10),
      top: (await store.postsByHashtag('migrated', 'top', {})).items,
      days: (await db.pool.query<{ day: number }>('select created_day as day from search_posts where id = any($1::uuid[])', [[a, b]])).rows.map((r) => r.day),
    });
    const before = await observe();
    expect(before.suggested).toEqual([{ tag: 'migrated', posts: 1 }]);
    expect(before.top).toEqual([b, a]);
    expect(before.days).toEqual([exploreDay(T0), exploreDay(T0)]);
    // As the tables were: no engagement, no public flag, counts of every live post, no day.
    await db.pool.query(`
      drop index search_post_tags_top; drop index search_posts_engaged_by_day;
      alter table search_post_tags drop column engagement, drop column public;
      alter table search_posts drop column created_day;
      update search_hashtags set posts = 2 where tag = 'migrated'`);
    await store.setup();
    expect(await observe()).toEqual(before);
  });
});
