import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../../events/index.js';
import { mediaKeys } from '../../media/storage/media-storage.js';
import { apiClient, type User } from '../support/api-client.js';
import { runReplay } from '../support/replay-cli.js';
import { s3TestSettings } from '../support/s3.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/test-app.js';

// Account deletion end to end (docs/architecture.md "Account deletion", "The erasure worker"), on
// the real servers with media in the real S3 store: a person who posts a photo, comments, likes,
// follows and is followed, mentions and is mentioned, and is notified, deletes their account; once
// the grace period (a second here) is over the erasure worker erases it. Then nothing of them is
// left where others look, their username and email can be taken again, their objects are gone from
// S3, and a replay rebuild of every read model shows the account erased and none of their text.

const PASSWORD = 'correct horse battery';
const DISPLAY_NAME = 'Zephyrine Quillfeather';
const BIO = 'collector of unusual teapots';
const CAPTION = 'sunrise over the marmalade hills';
const COMMENT = 'what a glorious tangerine sky';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  const s3 = await s3TestSettings();
  t = await startTestApp({
    media: { s3: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: s3.forcePathStyle } },
    accountDeletion: { graceMs: 1_000, erasureIntervalMs: 100 },
    erasure: { keyCacheWaitMs: 10 },
  });
  api = apiClient(t.app);
});
afterAll(() => t?.close());

const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Requested, PUT to S3, completed and processed by the media workers: a ready upload's id. */
const uploadPhoto = async (owner: User, purpose: 'post' | 'avatar') => {
  const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
  const requested = await api.call('POST', '/api/v1/media/uploads', { token: owner.token, body: { filename: 'hills.png', contentType: 'image/png', size: bytes.length, purpose } });
  expect(requested.status, JSON.stringify(requested.body)).toBe(201);
  const { mediaId, uploadUrl, headers } = requested.body as { mediaId: string; uploadUrl: string; headers: Record<string, string> };
  const put = await fetch(uploadUrl, { method: 'PUT', headers, body: bytes });
  expect(put.status).toBeLessThan(300);
  expect((await api.call('POST', `/api/v1/media/${mediaId}/complete`, { token: owner.token })).status).toBe(202);
  await eventually(
    async () => (await api.call('GET', `/api/v1/media/${mediaId}`, { token: owner.token })).body.status,
    (status) => status === 'ready',
  );
  return mediaId;
};

/** Every key the media stream recorded (the original and each variant). */
const objectKeysOf = async (mediaId: string) => {
  const keys = [mediaKeys.original(mediaId)];
  for (const event of await t.platform.commands.store.readStream(streams.media(mediaId))) {
    if (event.type === 'MediaProcessed') keys.push(...(event.data as { variants: { key: string }[] }).variants.map((variant) => variant.key));
  }
  return keys;
};
const stored = async (keys: readonly string[]) => (await Promise.all(keys.map((key) => t.platform.mediaStorage.head(key)))).filter((head) => head !== null).length;

const fresh = (position: string) => `minPosition=${encodeURIComponent(position)}`;

describe('erasing an account', () => {
  it('leaves nothing of the person where others look, frees their name and email, deletes their objects, and a rebuild agrees', async () => {
    const person = await api.register();
    const friend = await api.register();
    const third = await api.register();
    const email = `${person.username}@example.com`;

    // The person's life on the platform.
    expect((await api.call('PUT', `/api/v1/users/${person.username}`, { token: person.token, body: { displayName: DISPLAY_NAME, bio: BIO } })).status).toBe(200);
    const avatar = await uploadPhoto(person, 'avatar');
    expect((await api.call('PUT', `/api/v1/users/${person.username}/avatar`, { token: person.token, body: { mediaId: avatar } })).status).toBe(200);
    const photo = await uploadPhoto(person, 'post');
    const post = await api.call('POST', '/api/v1/posts', { token: person.token, body: { caption: `${CAPTION} #marmalade @${friend.username}`, media: [{ mediaId: photo }] } });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    const postId = post.body.postId as string;
    const friendsPost = await api.createPost(friend, `morning @${person.username}`);
    expect((await api.call('POST', `/api/v1/posts/${friendsPost}/comments`, { token: person.token, body: { text: `${COMMENT} @${third.username}` } })).status).toBe(201);
    expect((await api.call('POST', `/api/v1/posts/${friendsPost}/like`, { token: person.token })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/users/${friend.username}/follow`, { token: person.token })).status).toBe(200);
    expect((await api.call('POST', `/api/v1/users/${person.username}/follow`, { token: friend.token })).status).toBe(200);
    const followed = await api.call('POST', `/api/v1/users/${person.username}/follow`, { token: third.token });
    expect(followed.status).toBe(200);
    expect((await api.call('POST', `/api/v1/posts/${postId}/like`, { token: friend.token })).status).toBe(200);
    // The friend tags the person on a post of theirs.
    const tagging = await api.call('POST', '/api/v1/posts', {
      token: friend.token,
      body: { media: [{ url: 'https://cdn.example.com/tagged.jpg', type: 'image', tags: [{ username: person.username, x: 0.5, y: 0.5 }] }] },
    });
    expect(tagging.status, JSON.stringify(tagging.body)).toBe(201);
    const taggedPostId = tagging.body.postId as string;
    // Mutes either way: the person mutes the friend, the third mutes the person.
    expect((await api.call('POST', `/api/v1/users/${friend.username}/mute`, { token: person.token })).body.muted).toBe(true);
    expect((await api.call('POST', `/api/v1/users/${person.username}/mute`, { token: third.token })).body.muted).toBe(true);
    // Hashtag follows: two tags.
    for (const tag of ['marmalade', 'toast']) expect((await api.call('POST', `/api/v1/hashtags/${tag}/follow`, { token: person.token })).body.following).toBe(true);

    // Before: the friend sees the post in their home feed and in search; S3 holds its objects.
    const feedBefore = await api.call('GET', `/api/v1/feed/home?${fresh(followed.body.position)}`, { token: friend.token });
    expect(feedBefore.body.items.map((item: { id: string }) => item.id)).toContain(postId);
    const photoKeys = [...(await objectKeysOf(photo)), ...(await objectKeysOf(avatar))];
    expect(await stored(photoKeys)).toBe(photoKeys.length);

    // The person deletes their account (the route of the write side).
    const deleted = await api.call('DELETE', `/api/v1/users/${person.username}`, { token: person.token, body: { password: PASSWORD } });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
    expect(deleted.body).toMatchObject({ userId: person.userId, status: 'deleting' });

    // The grace period passes; the worker erases the account.
    await eventually(
      async () => (await t.platform.commands.store.readStream(streams.user(person.userId))).map((event) => event.type),
      (types) => types.includes('AccountErased'),
    );
    await eventually(() => t.platform.commands.credentials.findById(person.userId), (credentials) => credentials === null);
    const head = (await t.platform.commands.store.readStream(streams.user(person.userId))).at(-1)!.position;

    // Every mute either way was ended by the cascade.
    for (const stream of [streams.mute(person.userId, friend.userId), streams.mute(third.userId, person.userId)])
      expect((await t.platform.commands.store.readStream(stream)).map((event) => event.type), stream).toEqual(['Muted', 'Unmuted']);

    // Every hashtag follow of theirs was ended by the cascade.
    for (const tag of ['marmalade', 'toast'])
      expect((await t.platform.commands.store.readStream(streams.hashtagFollow(person.userId, tag))).map((event) => event.type), tag).toEqual(['HashtagFollowed', 'HashtagUnfollowed']);

    // Their tag was taken off the friend's post by the cascade, and no card shows it.
    expect((await t.platform.commands.store.readStream(streams.post(taggedPostId))).map((event) => event.type)).toEqual(['PostCreated', 'TagRemoved']);
    const taggedCard = await api.call('GET', `/api/v1/posts/${taggedPostId}?${fresh(head)}`, { token: third.token });
    expect(taggedCard.status).toBe(200);
    expect(taggedCard.body.media[0].tags).toBeUndefined();

    // Their profile is gone, and their name and email can be taken by a new account.
    const profile = await api.call('GET', `/api/v1/users/${person.username}?${fresh(head)}`, { token: friend.token });
    expect([profile.status, profile.body.error?.code]).toEqual([404, 'USER_NOT_FOUND']);
    const again = await api.call('POST', '/api/v1/users/register', { body: { username: person.username, email, password: 'another horse battery' } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.userId).not.toBe(person.userId);

    // Nothing of theirs in the others' feeds, search or notifications.
    const feed = await api.call('GET', `/api/v1/feed/home?${fresh(head)}`, { token: friend.token });
    expect(feed.body.items.map((item: { id: string }) => item.id)).not.toContain(postId);
    const search = await api.call('GET', `/api/v1/search?q=marmalade&${fresh(head)}`, { token: third.token });
    expect(JSON.stringify(search.body)).not.toContain(postId);
    for (const other of [friend, third]) {
      const notifications = await api.call('GET', `/api/v1/notifications?${fresh(head)}`, { token: other.token });
      expect(notifications.status).toBe(200);
      expect(JSON.stringify(notifications.body)).not.toContain(person.userId);
    }

    // Their objects are gone from S3 (the eraser and the janitor).
    await eventually(() => stored(photoKeys), (left) => left === 0);

    // A rebuild of every read model from the log alone: erased, and none of their text anywhere.
    const run = await runReplay(t, ['rebuild', 'all', '--batch-size', '50', '--handover-ms', '100', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await t.platform.readModels.refresh();
    const rebuiltProfile = await api.call('GET', `/api/v1/users/${person.username}`, { token: friend.token });
    // The name is the new account's now: the erased one is not what answers.
    expect(rebuiltProfile.body.userId ?? null).not.toBe(person.userId);
    const { rows: tables } = await t.db.pool.query<{ schema: string; table: string }>(
      `select table_schema as schema, table_name as table from information_schema.tables where table_schema like $1 and table_type = 'BASE TABLE'`,
      [`${t.db.schema}_g2_%`],
    );
    expect(tables.length).toBeGreaterThan(0);
    for (const { schema, table } of tables) {
      for (const text of [DISPLAY_NAME, BIO, CAPTION, COMMENT]) {
        const { rows } = await t.db.pool.query(`select 1 from "${schema}"."${table}" as t where strpos(t::text, $1) > 0 limit 1`, [text]);
        expect(rows, `${text} in ${schema}.${table}`).toEqual([]);
      }
    }
  });
});
