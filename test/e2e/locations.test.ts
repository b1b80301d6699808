import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locationIdOf } from '../../domain/location/location.js';
import { apiClient, type User } from '../support/api-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Locations end to end (docs/architecture.md "Locations"), on each search backend: a post names a
// place, its cards carry { id, name }, the location page lists its posts newest first and by
// engagement, and search finds places by name (with typos) and nearby, never by a private
// account's posts.
describe.each([{ backend: 'postgres', elasticsearch: false }, { backend: 'elasticsearch', elasticsearch: true }])(
  'locations on $backend',
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
    const read = async (who: User, url: string) => {
      const separator = url.includes('?') ? '&' : '?';
      const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(last)}`, { token: who.token });
      expect(response.headers['x-stale-projections'], `stale read of ${url}`).toBeUndefined();
      return response;
    };
    const get = async (who: User, url: string) => {
      const response = await read(who, url);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    };
    const post = async (who: User, location?: { name: string; lat?: number; lon?: number }) => {
      const response = track(
        await api.call('POST', '/api/v1/posts', { token: who.token, body: { caption: 'here', media: [{ url: 'https://cdn.example.com/p.jpg', type: 'image' }], location } }),
      );
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.postId as string;
    };
    const ids = (items: { id: string }[]) => items.map((item) => item.id);

    it('a post names a place; its card carries { id, name }; the location page lists newest and top, page by page', async () => {
      const author = await api.register('traveller');
      const fan = await api.register('fan');
      const pier = { name: 'Pier 39', lat: 37.80867, lon: -122.40982 };
      const first = await post(author, pier);
      const second = await post(author, { ...pier, name: 'pier  39' });
      const third = await post(author, pier);
      const elsewhere = await post(author);
      track(await api.call('POST', `/api/v1/posts/${second}/like`, { token: fan.token }));
      const id = locationIdOf(pier);

      const card = await get(viewer, `/api/v1/posts/${first}`);
      expect(card.location).toEqual({ id, name: 'Pier 39' });
      expect((await get(viewer, `/api/v1/posts/${second}`)).location).toEqual({ id, name: 'pier 39' });
      expect((await get(viewer, `/api/v1/posts/${elsewhere}`)).location).toBeUndefined();
      const feed = await get(viewer, `/api/v1/feed/user/${author.username}`);
      expect(feed.items.find((p: { id: string }) => p.id === third).location).toEqual({ id, name: 'Pier 39' });

      const page = await get(viewer, `/api/v1/locations/${id}/posts?limit=2`);
      expect(page.location).toEqual({ id, name: 'Pier 39', lat: 37.809, lon: -122.41, postCount: 3 });
      expect(ids(page.items)).toEqual([third, second]);
      const rest = await get(viewer, `/api/v1/locations/${id}/posts?limit=2&cursor=${page.nextCursor}`);
      expect(ids(rest.items)).toEqual([first]);
      expect(rest.nextCursor).toBeNull();
      expect(ids((await get(viewer, `/api/v1/locations/${id}/posts?sort=top`)).items)).toEqual([second, third, first]);

      const unknown = await read(viewer, `/api/v1/locations/${locationIdOf({ name: 'Nowhere Inn' })}/posts`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('LOCATION_NOT_FOUND');
    });

    it('search finds places by name with a typo, and nearby ordered by distance', async () => {
      const author = await api.register('cafegoer');
      const flore = { name: 'Café de Flore', lat: 48.85404, lon: 2.33259 };
      const deuxMagots = { name: 'Les Deux Magots', lat: 48.85399, lon: 2.33333 };
      const florence = { name: 'Flore Bakery', lat: 43.7696, lon: 11.2558 };
      const annex = { name: 'Flore Annex', lat: 48.866, lon: 2.34 };
      for (const place of [flore, flore, deuxMagots, florence, annex]) await post(author, place);

      const typo = await get(viewer, '/api/v1/search?q=cafe%20de%20flroe&type=places');
      expect(typo.places[0]).toEqual({ id: locationIdOf(flore), name: 'Café de Flore', lat: 48.854, lon: 2.333, postCount: 2 });
      expect(typo.users).toBeUndefined();
      const both = await get(viewer, '/api/v1/search?q=flore&type=places');
      expect(ids(both.places).sort()).toEqual([flore, florence, annex].map(locationIdOf).sort());

      // Near Saint-Germain: the Paris places, not the one in Florence; the nearer first; within 1 km only the café.
      const near = await get(viewer, '/api/v1/search?q=flore&type=places&lat=48.8540&lon=2.3326&radiusKm=5');
      expect(ids(near.places)).toEqual([locationIdOf(flore), locationIdOf(annex)]);
      const close = await get(viewer, '/api/v1/search?q=flore&type=places&lat=48.8540&lon=2.3326&radiusKm=1');
      expect(ids(close.places)).toEqual([locationIdOf(flore)]);
      const magots = await get(viewer, '/api/v1/search?q=deux%20magots&type=places&lat=48.8540&lon=2.3333');
      expect(ids(magots.places)).toEqual([locationIdOf(deuxMagots)]);
      const wide = await get(viewer, '/api/v1/search?q=flore&type=places&lat=48.8540&lon=2.3326&radiusKm=50');
      expect(ids(wide.places)).toEqual([locationIdOf(flore), locationIdOf(annex)]);
    });

    it("never shows a private account's place to anyone, nor a blocked user's posts at a public one", async () => {
      const secret = await api.register('hermit');
      const follower = await api.register('friend');
      track(await api.call('POST', `/api/v1/users/${secret.username}/follow`, { token: follower.token }));
      track(await api.call('PUT', `/api/v1/users/${secret.username}`, { token: secret.token, body: { private: true } }));
      const cottage = { name: 'Hermit Cottage' };
      const hidden = await post(secret, cottage);
      // A follower sees the post and its place on the card...
      expect((await get(follower, `/api/v1/posts/${hidden}`)).location).toEqual({ id: locationIdOf(cottage), name: 'Hermit Cottage' });
      // ...but a place only private posts carry is unknown to everyone, its name unsearchable.
      for (const who of [viewer, follower]) {
        const page = await read(who, `/api/v1/locations/${locationIdOf(cottage)}/posts`);
        expect(page.status).toBe(404);
        expect(page.body.error.code).toBe('LOCATION_NOT_FOUND');
        expect((await get(who, '/api/v1/search?q=hermit%20cottage&type=places')).places).toEqual([]);
      }

      // At a public place, the private posts are neither listed nor counted.
      const market = { name: 'Hermit Market' };
      const open = await api.register('stallholder');
      const shown = await post(open, market);
      await post(secret, market);
      const blocker = await api.register('grump');
      const blockersPost = await post(blocker, market);
      track(await api.call('POST', `/api/v1/users/${viewer.username}/block`, { token: blocker.token }));
      const page = await get(viewer, `/api/v1/locations/${locationIdOf(market)}/posts`);
      expect(page.location.postCount).toBe(2);
      expect(ids(page.items)).toEqual([shown]);
      expect(ids((await get(open, `/api/v1/locations/${locationIdOf(market)}/posts`)).items)).toEqual([blockersPost, shown]);
    });
  },
);
