import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';
import { locationIdOf } from '../../domain/location/location.js';

// Bad input on the read routes gets a 4xx, never a 500, and user lists hide whoever a block
// stands between (they answer as unknown everywhere else too).
const { api } = useTestApp();
let alice: User;
let bob: User;
let postId: string;
let position: string;
let locationId: string;
beforeAll(async () => {
  alice = await api.register('alice');
  bob = await api.register('bob');
  postId = await api.createPost(alice, 'hello #tag');
  const located = await api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }], location: { name: 'Pier 39' } } });
  locationId = locationIdOf({ name: 'Pier 39' });
  expect(located.status).toBe(201);
  position = (await api.call('POST', `/api/v1/posts/${postId}/like`, { token: bob.token })).body.position;
});

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const uuid = '0190a0a0-0000-7000-8000-000000000000';

describe('read routes and forged input', () => {
  it.each([
    ['/api/v1/users/alice/followers', ['1', uuid]],
    ['/api/v1/users/alice/followers', ['2024-02-30T00:00:00.000Z', uuid]],
    ['/api/v1/bookmarks', ['x 1', uuid]],
    ['/api/v1/collections', ['2024-01-01T00:00:00.000Z', 'not-a-uuid']],
    [`/api/v1/collections/${uuid}`, ['x 1', uuid]],
    [`/api/v1/posts/${uuid}/likes`, ['+275760-09-13T00:00:00.000Z', uuid]],
    ['/api/v1/feed/user/alice', ['1 2', uuid]],
    ['/api/v1/hashtags/tag/posts', [1, uuid]],
    ['/api/v1/hashtags/tag/posts?sort=top', [1e12, '2024-01-01T00:00:00.000Z', uuid]],
    ['/api/v1/locations/{location}/posts', [1, uuid]],
    ['/api/v1/locations/{location}/posts?sort=top', [-1, '2024-01-01T00:00:00.000Z', uuid]],
    ['/api/v1/feed/explore', [1e20, 0, uuid]],
    ['/api/v1/feed/home', ['not', 'a feed cursor']],
    ['/api/v1/feed/home?order=ranked', [1, 'a ranked cursor is (session, offset)']],
    ['/api/v1/feed/home?order=ranked', ['0190a0a0-0000-7000-8000-000000000000', 1]],
    ['/api/v1/users/alice/following', 'not base64 json at all'],
  ])('%s with a forged cursor answers 400', async (url, key) => {
    const cursor = typeof key === 'string' ? key : cursorOf(key);
    const separator = url.includes('?') ? '&' : '?';
    const response = await api.call('GET', `${url.replace('{location}', locationId)}${separator}cursor=${cursor}&minPosition=${encodeURIComponent(position)}`, { token: bob.token });
    expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.error.code).toMatch(/^(INVALID_CURSOR|INVALID_INPUT|POST_NOT_FOUND|VALIDATION_FAILED)$/);
  });

  it.each([
    ['/api/v1/search', 'q'],
    ['/api/v1/search?q=', 'q'],
    ['/api/v1/search?q=x&type=people', 'type.0'],
    ['/api/v1/search/autocomplete?q=x&limit=50', 'limit'],
    ['/api/v1/feed/home?order=best', 'order'],
    ['/api/v1/hashtags/%20/posts', 'tag'],
    ['/api/v1/hashtags/tag/posts?sort=best', 'sort'],
    ['/api/v1/hashtags/a.b', 'tag'],
    ['/api/v1/hashtags/dash-tag', 'tag'],
    ['/api/v1/locations/not-a-uuid/posts', 'locationId'],
    ['/api/v1/locations/0190a0a0-0000-7000-8000-000000000000/posts?sort=near', 'sort'],
    ['/api/v1/search?q=x&type=places&lat=91&lon=0', 'lat'],
    ['/api/v1/search?q=x&type=places&lat=1', 'lon'],
    ['/api/v1/search?q=x&type=places&lon=1', 'lat'],
    ['/api/v1/search?q=x&type=places&lat=1&lon=2&radiusKm=51', 'radiusKm'],
    ['/api/v1/search?q=x&type=places&lat=north&lon=2', 'lat'],
    ['/api/v1/posts/not-a-uuid/comments', 'postId'],
    ['/api/v1/posts/0190a0a0-0000-7000-8000-000000000000/comments?parentId=7', 'parentId'],
    ['/api/v1/media/not-a-uuid', 'mediaId'],
    ['/api/v1/collections/not-a-uuid', 'collectionId'],
    ['/api/v1/collections?limit=101', 'limit'],
    ['/api/v1/media/0190a0a0-0000-7000-8000-000000000000?minPosition=', 'minPosition'],
    ['/api/v1/suggestions/users?limit=0', 'limit'],
    ['/api/v1/suggestions/users?limit=51', 'limit'],
    ['/api/v1/suggestions/users?limit=ten', 'limit'],
    ['/api/v1/suggestions/users?cursor=x', ''],
  ])('%s answers 400 VALIDATION_FAILED naming %s', async (url, path) => {
    const response = await api.call('GET', url, { token: bob.token });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('rejects a limit over 100 and an unknown query field with 400', async () => {
    expect((await api.call('GET', '/api/v1/feed/home?limit=101', { token: bob.token })).status).toBe(400);
    expect((await api.call('GET', '/api/v1/feed/home?sort=oldest', { token: bob.token })).status).toBe(400);
  });

  it("a post's likes and a user's followers leave out whoever a block stands between", async () => {
    const likes = await api.call('GET', `/api/v1/posts/${postId}/likes?minPosition=${encodeURIComponent(position)}`, { token: alice.token });
    expect(likes.body.items.map((u: { id: string }) => u.id)).toEqual([bob.userId]);
    const followed = await api.call('POST', '/api/v1/users/alice/follow', { token: bob.token });
    const carol = await api.register('carol');
    const blocked = await api.call('POST', '/api/v1/users/bob/block', { token: carol.token });
    const after = [followed.body.position, blocked.body.position].sort().at(-1)!;
    const seenByCarol = await api.call('GET', `/api/v1/posts/${postId}/likes?minPosition=${encodeURIComponent(after)}`, { token: carol.token });
    expect(seenByCarol.body.items).toEqual([]);
    const followers = await api.call('GET', `/api/v1/users/alice/followers?minPosition=${encodeURIComponent(after)}`, { token: carol.token });
    expect(followers.body.items.map((u: { id: string }) => u.id)).not.toContain(bob.userId);
    const forAlice = await api.call('GET', `/api/v1/users/alice/followers?minPosition=${encodeURIComponent(after)}`, { token: alice.token });
    expect(forAlice.body.items.map((u: { id: string }) => u.id)).toContain(bob.userId);
  });
});
