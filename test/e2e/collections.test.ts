import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Collections of saved posts over HTTP, through the real profiles projection (docs/rules.md
// "Collections"): saving into one also bookmarks, a collection lists only what is still
// bookmarked and visible, and only its owner reads or changes it.
const { t, api } = useTestApp();

const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);

const postWith = async (author: User, url: string) => {
  const response = await api.call('POST', '/api/v1/posts', { token: author.token, body: { caption: 'p', media: [{ url, type: 'image' }] } });
  expect(response.status).toBe(201);
  return response.body.postId as string;
};

/** GET as `who`, after the projections have reached `position` (read-your-writes). */
const get = (who: User, url: string, position: string) => {
  const separator = url.includes('?') ? '&' : '?';
  return api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(position)}`, { token: who.token });
};

const create = async (who: User, name: string) => {
  const response = await api.call('POST', '/api/v1/collections', { token: who.token, body: { name } });
  expect(response.status).toBe(201);
  return response.body as { collectionId: string; position: string };
};
const add = (who: User, collectionId: string, postId: string) => api.call('POST', `/api/v1/collections/${collectionId}/posts/${postId}`, { token: who.token });

describe('collections over HTTP', () => {
  it('create, add (which bookmarks), list with count and cover, rename, remove, delete', async () => {
    const [author, saver] = [await api.register(), await api.register()];
    const first = await postWith(author, 'https://cdn.example.com/first.jpg');
    const second = await postWith(author, 'https://cdn.example.com/second.jpg');
    const { collectionId, position: created } = await create(saver, '  Trips  ');

    const empty = await get(saver, '/api/v1/collections', created);
    expect(empty.body.items).toEqual([{ id: collectionId, name: 'Trips', postCount: 0, cover: null }]);

    expect((await add(saver, collectionId, first)).body).toMatchObject({ collectionId, postId: first, inCollection: true });
    const added = await add(saver, collectionId, second);
    expect(added.status).toBe(200);
    // Adding twice changes nothing; saving into a collection saved the post (the "all saved" view).
    await add(saver, collectionId, second);
    expect(await typesOf(`collection-${collectionId}`)).toEqual(['CollectionCreated', 'PostAddedToCollection', 'PostAddedToCollection']);
    expect(await typesOf(`bookmark-${saver.userId}-${second}`)).toEqual(['Bookmarked']);

    const listed = await get(saver, '/api/v1/collections', added.body.position);
    expect(listed.body.items).toEqual([{ id: collectionId, name: 'Trips', postCount: 2, cover: expect.objectContaining({ url: 'https://cdn.example.com/second.jpg' }) }]);
    const shown = await get(saver, `/api/v1/collections/${collectionId}`, added.body.position);
    expect(shown.body).toMatchObject({ id: collectionId, name: 'Trips', postCount: 2 });
    expect(shown.body.posts.items.map((p: { id: string }) => p.id)).toEqual([second, first]);
    expect(shown.body.posts.items[0]).toMatchObject({ author: { id: author.userId }, bookmarkedByMe: true });
    const bookmarks = await get(saver, '/api/v1/bookmarks', added.body.position);
    expect(bookmarks.body.items.map((p: { id: string }) => p.id).sort()).toEqual([first, second].sort());

    // Paged by cursor, newest added first.
    const page1 = await get(saver, `/api/v1/collections/${collectionId}?limit=1`, added.body.position);
    expect(page1.body.posts.items.map((p: { id: string }) => p.id)).toEqual([second]);
    const page2 = await get(saver, `/api/v1/collections/${collectionId}?limit=1&cursor=${page1.body.posts.nextCursor}`, added.body.position);
    expect(page2.body.posts.items.map((p: { id: string }) => p.id)).toEqual([first]);
    expect(page2.body.posts.nextCursor).toBeNull();

    const renamed = await api.call('PUT', `/api/v1/collections/${collectionId}`, { token: saver.token, body: { name: 'Holidays' } });
    expect(renamed.status).toBe(200);
    const removed = await api.call('DELETE', `/api/v1/collections/${collectionId}/posts/${second}`, { token: saver.token });
    expect(removed.body).toMatchObject({ inCollection: false });
    const after = await get(saver, `/api/v1/collections/${collectionId}`, removed.body.position);
    expect(after.body).toMatchObject({ name: 'Holidays', postCount: 1 });
    expect(after.body.posts.items.map((p: { id: string }) => p.id)).toEqual([first]);
    // Removing from a collection leaves the post saved.
    expect(await typesOf(`bookmark-${saver.userId}-${second}`)).toEqual(['Bookmarked']);

    const deleted = await api.call('DELETE', `/api/v1/collections/${collectionId}`, { token: saver.token });
    expect(deleted.status).toBe(200);
    expect((await api.call('DELETE', `/api/v1/collections/${collectionId}`, { token: saver.token })).status).toBe(200);
    expect((await get(saver, `/api/v1/collections/${collectionId}`, deleted.body.position)).body.error.code).toBe('COLLECTION_NOT_FOUND');
    expect((await get(saver, '/api/v1/collections', deleted.body.position)).body.items).toEqual([]);
    const late = await add(saver, collectionId, second);
    expect([late.status, late.body.error.code]).toEqual([404, 'COLLECTION_NOT_FOUND']);
  });

  it('a collection shows only posts still bookmarked and visible: an unbookmark, a block or a switch to private hides them', async () => {
    const [alice, bob, carol, saver] = [await api.register(), await api.register(), await api.register(), await api.register()];
    const [ofAlice, ofBob, ofCarol] = [await postWith(alice, 'https://cdn.example.com/a.jpg'), await postWith(bob, 'https://cdn.example.com/b.jpg'), await postWith(carol, 'https://cdn.example.com/c.jpg')];
    const { collectionId } = await create(saver, 'Mixed');
    for (const postId of [ofAlice, ofBob, ofCarol]) expect((await add(saver, collectionId, postId)).status).toBe(200);

    await api.call('DELETE', `/api/v1/posts/${ofAlice}/bookmark`, { token: saver.token });
    await api.call('POST', `/api/v1/users/${saver.username}/block`, { token: bob.token });
    const privacy = await api.call('PUT', `/api/v1/users/${carol.username}`, { token: carol.token, body: { private: true } });
    const shown = await get(saver, `/api/v1/collections/${collectionId}`, privacy.body.position);
    expect(shown.body).toMatchObject({ postCount: 0, posts: { items: [] } });
    expect((await get(saver, '/api/v1/collections', privacy.body.position)).body.items).toEqual([{ id: collectionId, name: 'Mixed', postCount: 0, cover: null }]);

    // Saving again brings it back: the collection still files it (docs/rules.md "Collections").
    const saved = await api.call('POST', `/api/v1/posts/${ofAlice}/bookmark`, { token: saver.token });
    const back = await get(saver, `/api/v1/collections/${collectionId}`, saved.body.position);
    expect(back.body.posts.items.map((p: { id: string }) => p.id)).toEqual([ofAlice]);
  });

  it('adding a post the caller may not see is refused as a bookmark is, and appends nothing', async () => {
    const [author, blocker, saver] = [await api.register(), await api.register(), await api.register()];
    const privatePost = await postWith(author, 'https://cdn.example.com/p.jpg');
    await api.call('PUT', `/api/v1/users/${author.username}`, { token: author.token, body: { private: true } });
    const blockersPost = await postWith(blocker, 'https://cdn.example.com/q.jpg');
    await api.call('POST', `/api/v1/users/${saver.username}/block`, { token: blocker.token });
    const gone = await postWith(author, 'https://cdn.example.com/r.jpg');
    await api.call('DELETE', `/api/v1/posts/${gone}`, { token: author.token });
    const { collectionId } = await create(saver, 'Nope');

    for (const postId of [privatePost, blockersPost, gone]) {
      const before = (await t.allEvents()).length;
      const viaCollection = await add(saver, collectionId, postId);
      const viaBookmark = await api.call('POST', `/api/v1/posts/${postId}/bookmark`, { token: saver.token });
      expect([viaCollection.status, viaCollection.body.error]).toEqual([viaBookmark.status, viaBookmark.body.error]);
      expect(viaCollection.status).toBeGreaterThanOrEqual(400);
      expect((await t.allEvents()).length).toBe(before);
    }
  });

  it("another user's collection reads as none, whatever the id", async () => {
    const [owner, other] = [await api.register(), await api.register()];
    const { collectionId, position } = await create(owner, 'Private');
    const theirs = await get(other, `/api/v1/collections/${collectionId}`, position);
    const unknown = await get(other, '/api/v1/collections/0190a0a0-0000-7000-8000-000000000000', position);
    expect([theirs.status, theirs.body.error]).toEqual([unknown.status, unknown.body.error]);
    expect(theirs.status).toBe(404);
    expect((await get(other, '/api/v1/collections', position)).body.items).toEqual([]);
  });
});
