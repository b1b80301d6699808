import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import type { User } from '../support/api-client.js';
import { useTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// Posts, stories and avatars made of uploads (docs/architecture.md "Media"), through the real API
// on the local storage: request an upload, PUT the bytes to the signed URL, complete, wait for
// processing, attach; and every representation carries the variants with URLs by the media URL rule.

const CDN = 'https://cdn.media.example';
// No external host is allowed here: this file is about uploads.
const { t, api } = useTestApp({ mediaExternalHosts: [] });
const withCdn = useTestApp({ mediaExternalHosts: ['images.example.org'], media: { publicBaseUrl: CDN } });

const png = (seed: number, width = 800, height = 600) =>
  sharp({ create: { width, height, channels: 3, background: { r: (seed * 47) % 256, g: (seed * 89) % 256, b: 160 } } })
    .png()
    .toBuffer();

/** The path and query of an absolute URL that points at the API itself (the local storage's URLs), for app.inject. */
const local = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

let seeds = 0;

/** Through the API, as an app does: request, PUT, complete, then poll until the worker has processed it. */
const uploadReady = async (app: TestApp, client: ApiClient, owner: User, purpose: 'post' | 'story' | 'avatar' = 'post'): Promise<string> => {
  const mediaId = await uploaded(app, client, owner, await png(++seeds), purpose);
  let status = '';
  for (let polls = 0; polls < 600 && status !== 'ready' && status !== 'rejected'; polls++) {
    if (polls > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await client.call('GET', `/api/v1/media/${mediaId}`, { token: owner.token })).body.status;
  }
  expect(status).toBe('ready');
  return mediaId;
};

/** Requested, PUT and completed through the API: `processing`. */
const uploaded = async (app: TestApp, client: ApiClient, owner: User, bytes: Buffer, purpose: 'post' | 'story' | 'avatar' = 'post'): Promise<string> => {
  const requested = await client.call('POST', '/api/v1/media/uploads', {
    token: owner.token,
    body: { filename: 'photo.png', contentType: 'image/png', size: bytes.length, purpose },
  });
  expect(requested.status, JSON.stringify(requested.body)).toBe(201);
  const { mediaId, uploadUrl, headers } = requested.body as { mediaId: string; uploadUrl: string; headers: Record<string, string> };
  const put = await app.app.inject({ method: 'PUT', url: local(uploadUrl), headers, payload: bytes });
  expect(put.statusCode, put.body).toBeLessThan(300);
  const completed = await client.call('POST', `/api/v1/media/${mediaId}/complete`, { token: owner.token });
  expect(completed.status, JSON.stringify(completed.body)).toBe(202);
  return mediaId;
};

/** Requested and never uploaded (pending): the worker has nothing to process, so it stays unready. */
const uploadUnready = async (_app: TestApp, client: ApiClient, owner: User): Promise<string> => {
  const requested = await client.call('POST', '/api/v1/media/uploads', {
    token: owner.token,
    body: { filename: 'photo.png', contentType: 'image/png', size: 1000 },
  });
  expect(requested.status).toBe(201);
  return requested.body.mediaId as string;
};

const fresh = (position: string) => `minPosition=${encodeURIComponent(position)}`;

describe('a post made of uploads', () => {
  it('answers its variants with URLs that serve the WebP, on the post page and in the author feed', async () => {
    const alice = await api.register();
    const first = await uploadReady(t, api, alice);
    const second = await uploadReady(t, api, alice);
    const created = await api.call('POST', '/api/v1/posts', { token: alice.token, body: { caption: 'carousel #media', media: [{ mediaId: first }, { mediaId: second }] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const page = await api.call('GET', `/api/v1/posts/${created.body.postId}?${fresh(created.body.position)}`, { token: alice.token });
    expect(page.status).toBe(200);
    expect(page.body.media.map((m: { mediaId: string }) => m.mediaId)).toEqual([first, second]);
    const [media] = page.body.media;
    expect(media).toMatchObject({ type: 'image', width: 800, height: 600, blurhash: expect.any(String), dominantColor: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    const contentTypes = new Set(media.variants.map((v: { contentType: string }) => v.contentType));
    expect(contentTypes).toEqual(new Set(['image/webp', 'image/jpeg']));
    // The main URL is the widest variant.
    const widest = Math.max(...media.variants.map((v: { width: number }) => v.width));
    expect(media.variants.find((v: { url: string }) => v.url === media.url).width).toBe(widest);
    const webp = media.variants.find((v: { contentType: string }) => v.contentType === 'image/webp');
    // No storage key leaks out.
    expect(JSON.stringify(page.body)).not.toContain('"key"');

    const image = await t.app.inject({ method: 'GET', url: local(webp.url) });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect((await sharp(image.rawPayload).metadata()).format).toBe('webp');

    const feed = await api.call('GET', `/api/v1/feed/user/${alice.username}?${fresh(created.body.position)}`, { token: alice.token });
    expect(feed.body.items[0].media[1].mediaId).toBe(second);
  });

  it("signs a private author's URLs, and serves a public author's from MEDIA_PUBLIC_BASE_URL", async () => {
    const { t: cdnApp, api: cdnApi } = withCdn;
    const publicAuthor = await cdnApi.register();
    const privateAuthor = await cdnApi.register();
    await cdnApi.call('PUT', `/api/v1/users/${privateAuthor.username}`, { token: privateAuthor.token, body: { private: true } });
    const post = async (author: User) => {
      const created = await cdnApi.call('POST', '/api/v1/posts', { token: author.token, body: { media: [{ mediaId: await uploadReady(cdnApp, cdnApi, author) }] } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return (await cdnApi.call('GET', `/api/v1/posts/${created.body.postId}?${fresh(created.body.position)}`, { token: author.token })).body;
    };
    const open = await post(publicAuthor);
    for (const variant of open.media[0].variants) expect(variant.url).toMatch(new RegExp(`^${CDN}/media/${open.media[0].mediaId}/`));
    const hidden = await post(privateAuthor);
    for (const variant of hidden.media[0].variants) {
      expect(variant.url.startsWith(CDN)).toBe(false);
      expect(new URL(variant.url).search).not.toBe('');
    }
    // The signed URL works, and a tampered one does not.
    const url = local(hidden.media[0].url);
    expect((await cdnApp.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect((await cdnApp.app.inject({ method: 'GET', url: url.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })).statusCode).toBe(403);
  });
});

const ATTACHING = new Set(['PostCreated', 'StoryPosted', 'AvatarChanged', 'MediaAttached', 'MediaReleased']);

describe('attaching refuses, and appends nothing', () => {
  const refusedWithout = async (request: () => Promise<{ status: number; body: { error: { code: string; details: { path: string }[] } } }>) => {
    // What attaching would append (the worker appends MediaProcessed on its own time: not counted).
    const attachments = async () => (await t.allEvents()).filter((e) => ATTACHING.has(e.type)).length;
    const before = await attachments();
    const response = await request();
    expect(await attachments()).toBe(before);
    return response;
  };

  it('an external URL whose host is not listed: 400 MEDIA_HOST_NOT_ALLOWED naming the field', async () => {
    const alice = await api.register();
    const response = await refusedWithout(() =>
      api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ url: 'https://cdn.example.com/a.jpg', type: 'image' }] } }),
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MEDIA_HOST_NOT_ALLOWED');
    expect(response.body.error.details.map((d) => d.path)).toEqual(['media.0.url']);
    const story = await api.call('POST', '/api/v1/stories', { token: alice.token, body: { media: { url: 'https://169.254.169.254/latest', type: 'image' } } });
    expect([story.status, story.body.error.code, story.body.error.details[0].path]).toEqual([400, 'MEDIA_HOST_NOT_ALLOWED', 'media.url']);
  });

  it("another user's media: 404 MEDIA_NOT_FOUND", async () => {
    const alice = await api.register();
    const mallory = await api.register();
    const mediaId = await uploadReady(t, api, alice);
    const response = await refusedWithout(() => api.call('POST', '/api/v1/posts', { token: mallory.token, body: { media: [{ mediaId }] } }));
    expect([response.status, response.body.error.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
  });

  it('media not processed yet: 422 MEDIA_NOT_READY, and the ready one beside it stays free', async () => {
    const alice = await api.register();
    const ready = await uploadReady(t, api, alice);
    const pending = await uploadUnready(t, api, alice);
    const response = await refusedWithout(() => api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ mediaId: ready }, { mediaId: pending }] } }));
    expect([response.status, response.body.error.code]).toEqual([422, 'MEDIA_NOT_READY']);
    expect((await api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ mediaId: ready }] } })).status).toBe(201);
  });

  it('the same media twice: 422 MEDIA_ALREADY_ATTACHED, in one post or across two', async () => {
    const alice = await api.register();
    const mediaId = await uploadReady(t, api, alice);
    const twice = await refusedWithout(() => api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ mediaId }, { mediaId }] } }));
    expect([twice.status, twice.body.error.code]).toEqual([422, 'MEDIA_ALREADY_ATTACHED']);
    expect((await api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ mediaId }] } })).status).toBe(201);
    const again = await refusedWithout(() => api.call('POST', '/api/v1/stories', { token: alice.token, body: { media: { mediaId } } }));
    expect([again.status, again.body.error.code]).toEqual([422, 'MEDIA_ALREADY_ATTACHED']);
  });
});

describe('a story made of an upload', () => {
  it('is in the tray with its variants', async () => {
    const alice = await api.register();
    const posted = await api.call('POST', '/api/v1/stories', { token: alice.token, body: { media: { mediaId: await uploadReady(t, api, alice, 'story') } } });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    const tray = await api.call('GET', `/api/v1/stories/feed?${fresh(posted.body.position)}`, { token: alice.token });
    const [story] = tray.body.items[0].stories;
    expect(story.media.variants.length).toBeGreaterThan(1);
    expect((await t.app.inject({ method: 'GET', url: local(story.media.url) })).statusCode).toBe(200);
  });
});

describe('avatars', () => {
  it('an avatar set is shown on the profile, as the author of posts and comments, and among likers', async () => {
    const alice = await api.register();
    const bob = await api.register();
    const avatarId = await uploadReady(t, api, alice, 'avatar');
    const set = await api.call('PUT', `/api/v1/users/${alice.username}/avatar`, { token: alice.token, body: { mediaId: avatarId } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    const profile = await api.call('GET', `/api/v1/users/${alice.username}?${fresh(set.body.position)}`, { token: bob.token });
    expect(profile.body.avatar).toMatchObject({ mediaId: avatarId, type: 'image' });
    expect((await t.app.inject({ method: 'GET', url: local(profile.body.avatar.url) })).statusCode).toBe(200);

    const postId = (await api.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ mediaId: await uploadReady(t, api, alice) }] } })).body.postId;
    const comment = await api.call('POST', `/api/v1/posts/${postId}/comments`, { token: alice.token, body: { text: 'mine' } });
    const liked = await api.call('POST', `/api/v1/posts/${postId}/like`, { token: alice.token });
    const post = await api.call('GET', `/api/v1/posts/${postId}?${fresh(liked.body.position)}`, { token: bob.token });
    expect(post.body.author.avatar.mediaId).toBe(avatarId);
    const comments = await api.call('GET', `/api/v1/posts/${postId}/comments?${fresh(comment.body.position)}`, { token: bob.token });
    expect(comments.body.items[0].author.avatar.mediaId).toBe(avatarId);
    const likers = await api.call('GET', `/api/v1/posts/${postId}/likes`, { token: bob.token });
    expect(likers.body.items[0].avatar.mediaId).toBe(avatarId);
    // Bob has none.
    expect((await api.call('GET', `/api/v1/users/${bob.username}`, { token: bob.token })).body.avatar).toBeNull();

    // Alice's comment on Bob's post: her avatar among his notification's actors; and in user search.
    const bobsPost = (await api.call('POST', '/api/v1/posts', { token: bob.token, body: { media: [{ mediaId: await uploadReady(t, api, bob) }] } })).body.postId;
    const onBobs = await api.call('POST', `/api/v1/posts/${bobsPost}/comments`, { token: alice.token, body: { text: 'nice' } });
    const notifications = await api.call('GET', `/api/v1/notifications?${fresh(onBobs.body.position)}`, { token: bob.token });
    expect(notifications.body.items[0].actors[0]).toMatchObject({ id: alice.userId, avatar: { mediaId: avatarId } });
    const found = await api.call('GET', `/api/v1/search?q=${alice.username}&type=users&${fresh(onBobs.body.position)}`, { token: bob.token });
    expect(found.body.users.find((u: { id: string }) => u.id === alice.userId).avatar.mediaId).toBe(avatarId);
  });

  it('only for one’s own account (403 NOT_OWNER), only with avatar media, and it can be removed', async () => {
    const alice = await api.register();
    const bob = await api.register();
    const avatarId = await uploadReady(t, api, alice, 'avatar');
    const other = await api.call('PUT', `/api/v1/users/${alice.username}/avatar`, { token: bob.token, body: { mediaId: avatarId } });
    expect([other.status, other.body.error.code]).toEqual([403, 'NOT_OWNER']);
    const postMedia = await uploadReady(t, api, alice, 'post');
    const wrong = await api.call('PUT', `/api/v1/users/${alice.username}/avatar`, { token: alice.token, body: { mediaId: postMedia } });
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'MEDIA_WRONG_PURPOSE']);

    expect((await api.call('PUT', `/api/v1/users/${alice.username}/avatar`, { token: alice.token, body: { mediaId: avatarId } })).status).toBe(200);
    // Again: the same wish, already granted.
    expect((await api.call('PUT', `/api/v1/users/${alice.username}/avatar`, { token: alice.token, body: { mediaId: avatarId } })).status).toBe(200);
    const removed = await api.call('DELETE', `/api/v1/users/${alice.username}/avatar`, { token: alice.token });
    expect(removed.status).toBe(200);
    const profile = await api.call('GET', `/api/v1/users/${alice.username}?${fresh(removed.body.position)}`, { token: alice.token });
    expect(profile.body.avatar).toBeNull();
  });
});

describe('media that are not uploads', () => {
  it('an external URL on a listed host is taken and answered as it is', async () => {
    const { api: cdnApi } = withCdn;
    const alice = await cdnApi.register();
    const media = { url: 'https://images.example.org/a.jpg', type: 'image', width: 1080, height: 1350 };
    const created = await cdnApi.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [media] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const post = await cdnApi.call('GET', `/api/v1/posts/${created.body.postId}?${fresh(created.body.position)}`, { token: alice.token });
    expect(post.body.media).toEqual([media]);
    const elsewhere = await cdnApi.call('POST', '/api/v1/posts', { token: alice.token, body: { media: [{ url: 'https://images.example.org.evil.net/a.jpg', type: 'image' }] } });
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([400, 'MEDIA_HOST_NOT_ALLOWED']);
  });

  it('a post stored before uploads existed (PostCreated v1, one imageUrl) is still answered, its URL passed through', async () => {
    const alice = await api.register();
    const postId = uuidv7();
    const v1 = { postId, authorId: alice.userId, caption: 'from 2021', hashtags: [], mentions: [], imageUrl: 'https://old.example/sunset.jpg', createdAt: '2021-06-01T18:00:00.000Z' };
    // As an old deployment stored it: the row at schema version 1, never rewritten (events/upcasters.ts reads it as v2).
    await t.db.pool.query(
      `insert into events (stream_id, stream_revision, event_id, type, schema_version, data, metadata) values ($1, 0, $2, 'PostCreated', 1, $3, $4)`,
      [`post-${postId}`, uuidv7(), JSON.stringify(v1), JSON.stringify({ correlationId: 'old', causationId: null, actorId: alice.userId, occurredAt: v1.createdAt })],
    );
    let post = await api.call('GET', `/api/v1/posts/${postId}`, { token: alice.token });
    for (let tries = 0; post.status === 404 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      post = await api.call('GET', `/api/v1/posts/${postId}`, { token: alice.token });
    }
    expect(post.status).toBe(200);
    expect(post.body.media).toEqual([{ url: 'https://old.example/sunset.jpg', type: 'image' }]);
  });
});
