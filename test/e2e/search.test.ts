import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Search, hashtags and explore end to end, through the real search projection, on each search
// backend: PostgreSQL (ELASTICSEARCH_URL unset) and the real Elasticsearch the test run started.
describe.each([{ backend: 'postgres', elasticsearch: false }, { backend: 'elasticsearch', elasticsearch: true }])(
  'search on $backend',
  ({ elasticsearch }) => {
    let t: TestApp;
    let api: ReturnType<typeof apiClient>;
    let viewer: User;
    let last = '';
    beforeAll(async () => {
      t = await startTestApp({ elasticsearch });
      api = apiClient(t.app);
      viewer = await api.register('viewer');
    });
    afterAll(() => t?.close());

    const track = <T extends { body: { position?: string } }>(response: T) => {
      if (response.body.position && response.body.position > last) last = response.body.position;
      return response;
    };
    const get = async (who: User, url: string) => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(last)}`, { token: who.token });
      expect(response.headers['x-stale-projections'], `stale read of ${url}`).toBeUndefined();
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    };
    const post = async (who: User, caption: string) =>
      track(await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption, media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }] } }))
        .body.postId as string;
    const ids = (items: { id: string }[]) => items.map((item) => item.id);

    it('finds users by exact name first, then accounts you follow, with autocomplete and typos', async () => {
      const sarah = await api.register('sarah');
      const sarahs = await api.register('sarahs.kitchen');
      await api.register('sarah_travels');
      track(await api.call('POST', `/api/v1/users/${sarahs.username}/follow`, { token: viewer.token }));
      const found = await get(viewer, '/api/v1/search?q=sarah&type=users');
      expect(ids(found.users).slice(0, 2)).toEqual([sarah.userId, sarahs.userId]);
      const completed = await get(viewer, '/api/v1/search/autocomplete?q=sar');
      expect(ids(completed.users)).toEqual(expect.arrayContaining([sarah.userId, sarahs.userId]));
      const typo = await get(viewer, '/api/v1/search?q=sarha&type=users');
      expect(ids(typo.users)).toContain(sarah.userId);
    });

    it('finds posts by caption text and by hashtag, recent and top, and suggests hashtags with counts', async () => {
      const author = await api.register('photographer');
      const fans = [await api.register(), await api.register()];
      const older = await post(author, 'Golden sunsets over the harbour #travel #sunset');
      const newer = await post(author, 'Street food tour #travel #food');
      for (const fan of fans) track(await api.call('POST', `/api/v1/posts/${older}/like`, { token: fan.token }));
      expect(ids((await get(viewer, '/api/v1/search?q=sunsets&type=posts')).posts.items)).toContain(older);
      expect(ids((await get(viewer, '/api/v1/hashtags/travel/posts')).items)).toEqual([newer, older]);
      expect(ids((await get(viewer, '/api/v1/hashtags/travel/posts?sort=top')).items)).toEqual([older, newer]);
      const suggested = await get(viewer, '/api/v1/search/autocomplete?q=%23trav');
      expect(suggested.hashtags).toEqual(expect.arrayContaining([{ tag: 'travel', posts: 2 }]));
      const typo = await get(viewer, '/api/v1/search?q=travle&type=hashtags');
      expect(typo.hashtags.map((h: { tag: string }) => h.tag)).toContain('travel');
    });

    it('never shows private, blocked or deleted content', async () => {
      const secret = await api.register('secretive');
      track(await api.call('PUT', `/api/v1/users/${secret.username}`, { token: secret.token, body: { private: true } }));
      const hidden = await post(secret, 'private #hiddentag');
      const blocker = await api.register('blocker');
      const blockedPost = await post(blocker, 'not for viewer #hiddentag');
      track(await api.call('POST', `/api/v1/users/${viewer.username}/block`, { token: blocker.token }));
      const author = await api.register('deleter');
      const deleted = await post(author, 'gone soon #hiddentag');
      const visible = await post(author, 'still here #hiddentag');
      track(await api.call('DELETE', `/api/v1/posts/${deleted}`, { token: author.token }));
      expect(ids((await get(viewer, '/api/v1/hashtags/hiddentag/posts')).items)).toEqual([visible]);
      const explore = ids((await get(viewer, '/api/v1/feed/explore?limit=100')).items);
      expect(explore).toContain(visible);
      for (const postId of [hidden, blockedPost, deleted]) expect(explore).not.toContain(postId);
      expect(ids((await get(viewer, '/api/v1/search?q=blocker&type=users')).users)).not.toContain(blocker.userId);
      expect(ids((await get(viewer, '/api/v1/search?q=secretive&type=users')).users)).toContain(secret.userId);
    });

    it('ranks explore by engagement and recency', async () => {
      const author = await api.register();
      const quiet = await post(author, 'quiet #exploretest');
      const popular = await post(author, 'popular #exploretest');
      for (const fan of [await api.register(), await api.register(), await api.register()]) {
        track(await api.call('POST', `/api/v1/posts/${popular}/like`, { token: fan.token }));
      }
      track(await api.call('POST', `/api/v1/posts/${popular}/comments`, { token: author.token, body: { text: 'thanks all' } }));
      const explore = ids((await get(viewer, '/api/v1/feed/explore?limit=100')).items);
      expect(explore.indexOf(popular)).toBeLessThan(explore.indexOf(quiet));
    });

    it('accepts a caption of one 2,199-syllable #word (6,597 bytes, too long for a hashtag), and later posts still reach search', async () => {
      const author = await api.register();
      const word = Array.from({ length: 2199 }, (_, i) => String.fromCodePoint(0xac00 + ((i * 7919) % 11172))).join('');
      expect(await post(author, `#${word}`)).toBeTruthy();
      const later = await post(author, 'after the long word #stillindexed');
      // `get` waits for the search projection to pass both posts (no X-Stale-Projections).
      expect(ids((await get(viewer, '/api/v1/hashtags/stillindexed/posts')).items)).toEqual([later]);
    });
  },
);
