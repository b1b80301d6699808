import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

const { t, api } = useTestApp();

const typesOf = async (streamId: string) => (await t.allEvents()).filter((e) => e.streamId === streamId).map((e) => e.type);

describe('posts, likes, comments and bookmarks over HTTP', () => {
  it('creates a post with hashtags and mentions extracted, edits and deletes it', async () => {
    const author = await api.register();
    const created = await api.call('POST', '/api/v1/posts', {
      token: author.token,
      body: { caption: 'Sunset #Beach with @Friend', media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image', width: 1080, height: 1350 }] },
    });
    expect(created.status).toBe(201);
    const { postId } = created.body;
    const [event] = (await t.platform.commands.store.readStream(`post-${postId}`)).map((e) => e.data) as Record<string, unknown>[];
    expect(event).toMatchObject({ hashtags: ['beach'], mentions: ['friend'], authorId: author.userId });

    expect((await api.call('PUT', `/api/v1/posts/${postId}`, { token: author.token, body: { caption: 'edited' } })).status).toBe(200);
    expect((await api.call('DELETE', `/api/v1/posts/${postId}`, { token: author.token })).status).toBe(200);
    expect((await api.call('DELETE', `/api/v1/posts/${postId}`, { token: author.token })).status).toBe(200);
    expect(await typesOf(`post-${postId}`)).toEqual(['PostCreated', 'CaptionEdited', 'PostDeleted']);
  });

  it('likes and unlikes idempotently, and refuses likes and comments on a deleted post with 422', async () => {
    const [author, fan] = [await api.register(), await api.register()];
    const postId = await api.createPost(author);
    for (let i = 0; i < 2; i++) expect((await api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token })).body.liked).toBe(true);
    for (let i = 0; i < 2; i++) expect((await api.call('DELETE', `/api/v1/posts/${postId}/like`, { token: fan.token })).body.liked).toBe(false);
    expect(await typesOf(`like-${postId}-${fan.userId}`)).toEqual(['Liked', 'Unliked']);

    await api.call('DELETE', `/api/v1/posts/${postId}`, { token: author.token });
    const like = await api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token });
    expect(like.status).toBe(422);
    expect(like.body.error.code).toBe('POST_DELETED');
    const comment = await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: fan.token, body: { text: 'late' } });
    expect(comment.status).toBe(422);
    expect(comment.body.error.code).toBe('POST_DELETED');
  });

  it('lets exactly one Liked through when the same like arrives many times at once', async () => {
    const [author, fan] = [await api.register(), await api.register()];
    const postId = await api.createPost(author);
    const responses = await Promise.all(Array.from({ length: 10 }, () => api.call('POST', `/api/v1/posts/${postId}/like`, { token: fan.token })));
    expect(responses.every((r) => r.status === 200 && r.body.liked === true)).toBe(true);
    expect(await typesOf(`like-${postId}-${fan.userId}`)).toEqual(['Liked']);
  });

  it('keeps every concurrent caption edit by retrying on conflict', async () => {
    const author = await api.register();
    const postId = await api.createPost(author);
    const edits = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.call('PUT', `/api/v1/posts/${postId}`, { token: author.token, body: { caption: `v${i}` } })),
    );
    expect(edits.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await typesOf(`post-${postId}`)).toEqual(['PostCreated', ...Array(5).fill('CaptionEdited')]);
  });

  it('threads replies under a comment of the same post; the post author may delete any comment on it', async () => {
    const [author, a, b] = [await api.register(), await api.register(), await api.register()];
    const postId = await api.createPost(author);
    const top = await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: a.token, body: { text: 'first! @' + b.username } });
    expect(top.status).toBe(201);
    const reply = await api.call('POST', `/api/v1/posts/${postId}/comments`, {
      token: b.token,
      body: { text: 'reply', parentCommentId: top.body.commentId },
    });
    expect(reply.status).toBe(201);
    const [added] = await t.platform.commands.store.readStream(`comment-${reply.body.commentId}`);
    expect(added?.data).toMatchObject({ parentCommentId: top.body.commentId, postId, postAuthorId: author.userId });

    const otherPost = await api.createPost(author);
    const crossPost = await api.call('POST', `/api/v1/posts/${otherPost}/comments`, {
      token: b.token,
      body: { text: 'wrong thread', parentCommentId: top.body.commentId },
    });
    expect(crossPost.status).toBe(400);
    expect(crossPost.body.error.code).toBe('PARENT_ON_OTHER_POST');

    const byStranger = await api.call('DELETE', `/api/v1/comments/${top.body.commentId}`, { token: b.token });
    expect(byStranger.status).toBe(403);
    const byPostAuthor = await api.call('DELETE', `/api/v1/comments/${top.body.commentId}`, { token: author.token });
    expect(byPostAuthor.status).toBe(200);
    const toDeleted = await api.call('POST', `/api/v1/posts/${postId}/comments`, {
      token: b.token,
      body: { text: 'too late', parentCommentId: top.body.commentId },
    });
    expect(toDeleted.status).toBe(422);
    expect(toDeleted.body.error.code).toBe('COMMENT_DELETED');
  });

  it('bookmarks and unbookmarks idempotently', async () => {
    const [author, reader] = [await api.register(), await api.register()];
    const postId = await api.createPost(author);
    await api.call('POST', `/api/v1/posts/${postId}/bookmark`, { token: reader.token });
    const again = await api.call('POST', `/api/v1/posts/${postId}/bookmark`, { token: reader.token });
    expect(again.body.bookmarked).toBe(true);
    await api.call('DELETE', `/api/v1/posts/${postId}/bookmark`, { token: reader.token });
    expect(await typesOf(`bookmark-${reader.userId}-${postId}`)).toEqual(['Bookmarked', 'Unbookmarked']);
  });

  it('keeps a private account\'s posts and a blocker\'s posts out of reach', async () => {
    const [owner, stranger, follower] = [await api.register(), await api.register(), await api.register()];
    const postId = await api.createPost(owner);
    await api.call('PUT', `/api/v1/users/${owner.username}`, { token: owner.token, body: { private: true } });
    const privateLike = await api.call('POST', `/api/v1/posts/${postId}/like`, { token: stranger.token });
    expect(privateLike.status).toBe(403);
    expect(privateLike.body.error.code).toBe('PRIVATE_ACCOUNT');

    await api.call('POST', `/api/v1/users/${owner.username}/follow`, { token: follower.token });
    await api.call('POST', `/api/v1/follow-requests/${follower.username}/approve`, { token: owner.token });
    expect((await api.call('POST', `/api/v1/posts/${postId}/like`, { token: follower.token })).status).toBe(200);

    await api.call('POST', `/api/v1/users/${follower.username}/block`, { token: owner.token });
    // A block answers exactly as an unknown post: the blocked user learns neither.
    const unknownPost = '0190a000-0000-7000-8000-00000000dead';
    for (const [method, path, body] of [
      ['POST', 'like', undefined],
      ['POST', 'comments', { text: 'hi' }],
      ['POST', 'bookmark', undefined],
    ] as const) {
      const response = await api.call(method, `/api/v1/posts/${postId}/${path}`, { token: follower.token, body });
      const unknown = await api.call(method, `/api/v1/posts/${unknownPost}/${path}`, { token: follower.token, body });
      expect(response.status, path).toBe(404);
      expect(response.body.error, path).toEqual(unknown.body.error);
    }
  });

  it("a post of someone who blocked you reads as a post that does not exist: the same status, code and message", async () => {
    const [blocker, blocked] = [await api.register(), await api.register()];
    const postId = await api.createPost(blocker);
    const block = await api.call('POST', `/api/v1/users/${blocked.username}/block`, { token: blocker.token });
    const minPosition = encodeURIComponent(block.body.position);
    const hidden = await api.call('GET', `/api/v1/posts/${postId}?minPosition=${minPosition}`, { token: blocked.token });
    const missing = await api.call('GET', `/api/v1/posts/0190a0a0-0000-7000-8000-000000000001?minPosition=${minPosition}`, { token: blocked.token });
    expect(hidden.status).toBe(404);
    expect([hidden.status, hidden.body]).toEqual([missing.status, missing.body]);
  });
});
