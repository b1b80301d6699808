import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp } from '../support/test-app.js';

// Shares end to end (issue 17): POST /posts/{id}/share through the real projections to the
// stories tray, a user's stories, the post's shareCount and the author's notifications.

const { t, api } = useTestApp();

const firstMedia = { url: 'https://cdn.example.com/first.jpg', type: 'image' };
const send = async (who: User, method: 'POST' | 'DELETE' | 'PUT', url: string, body?: unknown) => {
  const response = await api.call(method, url, { token: who.token, ...(body !== undefined ? { body } : {}) });
  expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body as { position: string; postId?: string; storyId?: string };
};
const get = async (who: User, url: string, position: string) => {
  const separator = url.includes('?') ? '&' : '?';
  const response = await api.call('GET', `${url}${separator}minPosition=${encodeURIComponent(position)}`, { token: who.token });
  expect(response.status, `GET ${url}: ${JSON.stringify(response.body)}`).toBe(200);
  expect(response.headers['x-stale-projections'], `stale read of ${url}`).toBeUndefined();
  return response.body;
};
const post = async (who: User) =>
  (await send(who, 'POST', '/api/v1/posts', { caption: 'shared', media: [firstMedia, { url: 'https://cdn.example.com/second.jpg', type: 'image' }] })).postId!;
const share = (who: User, postId: string, headers: Record<string, string> = {}) =>
  api.call('POST', `/api/v1/posts/${postId}/share`, { token: who.token, body: { to: 'story' }, headers });

/** The stories of `author` in `viewer`'s tray, as answered. */
const trayStoriesOf = async (viewer: User, author: User, position: string) => {
  const { items } = (await get(viewer, '/api/v1/stories/feed', position)) as { items: Array<{ author: { id: string }; stories: Array<Record<string, any>> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  return items.find((entry) => entry.author.id === author.userId)?.stories ?? [];
};

describe('sharing a post to a story', () => {
  it("posts a story of the sharer's showing the post's first media, answered 201 like POST /stories, in a follower's tray with the post named", async () => {
    const [author, sharer, follower] = [await api.register(), await api.register(), await api.register()];
    const postId = await post(author);
    await send(follower, 'POST', `/api/v1/users/${sharer.username}/follow`);
    const shared = await share(sharer, postId);
    expect(shared.status).toBe(201);
    expect(Object.keys(shared.body).sort()).toEqual(['expiresAt', 'position', 'storyId']);
    const [event] = await t.platform.commands.store.readStream(`story-${shared.body.storyId}`);
    expect(event).toMatchObject({ type: 'StoryPosted', data: { authorId: sharer.userId, media: firstMedia, sharedPost: { postId, authorId: author.userId } } });

    const stories = await trayStoriesOf(follower, sharer, shared.body.position);
    expect(stories).toHaveLength(1);
    expect(stories[0]).toMatchObject({ id: shared.body.storyId, media: firstMedia, sharedPost: { id: postId, author: { id: author.userId, username: author.username } } });
    const page = await get(follower, `/api/v1/users/${sharer.username}/stories`, shared.body.position);
    expect(page.items.map((s: { id: string }) => s.id)).toEqual([shared.body.storyId]);
    // An ordinary story says it shares nothing.
    const own = await send(sharer, 'POST', '/api/v1/stories', { media: firstMedia });
    const both = await trayStoriesOf(follower, sharer, own.position);
    expect(both.map((s) => s.sharedPost)).toEqual([expect.objectContaining({ id: postId }), null]);
  });

  it('a retry with the same Idempotency-Key answers the first story and shares once', async () => {
    const [author, sharer] = [await api.register(), await api.register()];
    const postId = await post(author);
    const first = await share(sharer, postId, { 'idempotency-key': 'share-1' });
    const again = await share(sharer, postId, { 'idempotency-key': 'share-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const shares = (await t.allEvents()).filter((e) => e.type === 'StoryPosted' && e.streamId === `story-${first.body.storyId}`);
    expect(shares).toHaveLength(1);
  });

  it("hides the shared story from a viewer the post's author blocks, or who does not follow the author once private, or once the post is deleted; the sharer's own stories stay", async () => {
    const [author, sharer, viewer] = [await api.register(), await api.register(), await api.register()];
    const postId = await post(author);
    await send(viewer, 'POST', `/api/v1/users/${sharer.username}/follow`);
    const shared = (await share(sharer, postId)).body as { storyId: string; position: string };
    const ordinary = await send(sharer, 'POST', '/api/v1/stories', { media: firstMedia });
    expect((await trayStoriesOf(viewer, sharer, ordinary.position)).map((s) => s.id)).toEqual([shared.storyId, ordinary.storyId]);

    const blocked = await send(author, 'POST', `/api/v1/users/${viewer.username}/block`);
    expect((await trayStoriesOf(viewer, sharer, blocked.position)).map((s) => s.id)).toEqual([ordinary.storyId]);
    const page = await get(viewer, `/api/v1/users/${sharer.username}/stories`, blocked.position);
    expect(page.items.map((s: { id: string }) => s.id)).toEqual([ordinary.storyId]);
    const unblocked = await send(author, 'DELETE', `/api/v1/users/${viewer.username}/block`);
    expect((await trayStoriesOf(viewer, sharer, unblocked.position)).map((s) => s.id)).toEqual([shared.storyId, ordinary.storyId]);

    const madePrivate = await send(author, 'PUT', `/api/v1/users/${author.username}`, { private: true });
    expect((await trayStoriesOf(viewer, sharer, madePrivate.position)).map((s) => s.id)).toEqual([ordinary.storyId]);
    // The sharer follows nobody: they no longer see their own share of a post now private either.
    expect((await trayStoriesOf(sharer, sharer, madePrivate.position)).map((s) => s.id)).toEqual([ordinary.storyId]);
    const madePublic = await send(author, 'PUT', `/api/v1/users/${author.username}`, { private: false });
    expect((await trayStoriesOf(viewer, sharer, madePublic.position)).map((s) => s.id)).toEqual([shared.storyId, ordinary.storyId]);

    const deleted = await send(author, 'DELETE', `/api/v1/posts/${postId}`);
    expect((await trayStoriesOf(viewer, sharer, deleted.position)).map((s) => s.id)).toEqual([ordinary.storyId]);
  });

  it("refuses a private account's post to anyone but its author, a deleted post, and a post a block hides (as an unknown post)", async () => {
    const [owner, follower, blocked] = [await api.register(), await api.register(), await api.register()];
    const publicPost = await post(owner);
    await send(owner, 'POST', `/api/v1/users/${blocked.username}/block`);
    const byBlocked = await share(blocked, publicPost);
    const unknown = await share(blocked, '0190a000-0000-7000-8000-00000000dead');
    expect(byBlocked.status).toBe(404);
    expect(byBlocked.body.error).toEqual(unknown.body.error);

    await send(owner, 'PUT', `/api/v1/users/${owner.username}`, { private: true });
    await send(follower, 'POST', `/api/v1/users/${owner.username}/follow`);
    const requests = await api.call('GET', '/api/v1/follow-requests', { token: owner.token });
    expect(requests.status).toBe(200);
    await send(owner, 'POST', `/api/v1/follow-requests/${follower.username}/approve`);
    const byFollower = await share(follower, publicPost);
    expect(byFollower.status).toBe(403);
    expect(byFollower.body.error.code).toBe('POST_NOT_SHAREABLE');
    const byOwner = await share(owner, publicPost);
    expect(byOwner.status).toBe(201);
    // The owner's own share shows to the owner's followers, who may see the post.
    expect((await trayStoriesOf(follower, owner, byOwner.body.position)).map((s) => s.id)).toEqual([byOwner.body.storyId]);

    await send(owner, 'DELETE', `/api/v1/posts/${publicPost}`);
    const ofDeleted = await share(owner, publicPost);
    expect(ofDeleted.status).toBe(422);
    expect(ofDeleted.body.error.code).toBe('POST_DELETED');
  });
});

describe('what a share counts and tells', () => {
  it("counts each share once on the post's cards (a deleted story leaves its count) and notifies the author, grouped, never for their own share", async () => {
    const [author, ann, bob] = [await api.register(), await api.register(), await api.register()];
    const postId = await post(author);
    const own = (await share(author, postId)).body as { storyId: string };
    const first = (await share(ann, postId)).body as { storyId: string };
    await share(ann, postId);
    const last = (await share(bob, postId)).body as { position: string };
    const page = await get(ann, `/api/v1/posts/${postId}`, last.position);
    expect(page.shareCount).toBe(4);
    const profilePosts = await get(ann, `/api/v1/feed/user/${author.username}`, last.position);
    expect(profilePosts.items[0]).toMatchObject({ id: postId, shareCount: 4 });

    const deleted = await send(ann, 'DELETE', `/api/v1/stories/${first.storyId}`);
    await send(author, 'DELETE', `/api/v1/stories/${own.storyId}`);
    expect((await get(ann, `/api/v1/posts/${postId}`, deleted.position)).shareCount).toBe(4);

    const { items } = await get(author, '/api/v1/notifications', deleted.position);
    const shares = items.filter((item: { type: string }) => item.type === 'share');
    expect(shares).toHaveLength(1);
    expect(shares[0]).toMatchObject({ post: { id: postId }, actorCount: 2, text: `${bob.username} and ${ann.username} shared your post` });
    // The sharers hear nothing of it.
    for (const sharer of [ann, bob]) {
      const theirs = await get(sharer, '/api/v1/notifications', deleted.position);
      expect(theirs.items.filter((item: { type: string }) => item.type === 'share')).toEqual([]);
    }
  });

  it("leaves a sharer the author blocks out of the author's share notification", async () => {
    const [author, sharer] = [await api.register(), await api.register()];
    const postId = await post(author);
    await share(sharer, postId);
    const blocked = await send(author, 'POST', `/api/v1/users/${sharer.username}/block`);
    const { items } = await get(author, '/api/v1/notifications', blocked.position);
    expect(items.filter((item: { type: string }) => item.type === 'share')).toEqual([]);
  });
});
