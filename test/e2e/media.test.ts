import { beforeAll, describe, expect, it } from 'vitest';
import { attachMedia, recordProcessingResult } from '../../commands/media/media.js';
import type { ProcessedMedia } from '../../events/index.js';
import { UNATTACHED_MEDIA_TTL_MS } from '../../kernel/limits.js';
import { mediaKeys } from '../../media/storage/media-storage.js';
import type { User } from '../support/api-client.js';
import { createInMemoryMediaStorage } from '../support/in-memory-media-storage.js';
import { runReplay } from '../support/replay-cli.js';
import { useTestApp } from '../support/test-app.js';

// The upload flow through the real API (docs/architecture.md "Media"): request a presigned PUT,
// PUT the bytes, complete, and read the status back from the media read model.
// No media workers: this file records processing results itself, and checks what each command appends.
const { t, api } = useTestApp({ mediaWorkers: false });
let alice: User;
let bob: User;

const bytes = Buffer.from('not really a jpeg, but the right length');

beforeAll(async () => {
  alice = await api.register('alice');
  bob = await api.register('bob');
});

const requestUpload = (user: User, body: Record<string, unknown> = {}) =>
  api.call('POST', '/api/v1/media/uploads', { token: user.token, body: { filename: 'beach.jpg', contentType: 'image/jpeg', size: bytes.length, ...body } });

/** PUTs the bytes where the upload answer says, with its headers: to the API itself (local storage), or to S3. */
const put = async (upload: { uploadUrl: string; headers: Record<string, string> }, body: Buffer = bytes) => {
  const url = new URL(upload.uploadUrl);
  const local = await t.app.inject({ method: 'PUT', url: `${url.pathname}${url.search}`, headers: upload.headers, payload: body });
  if (local.statusCode !== 404) {
    expect(local.statusCode).toBeLessThan(300);
    return;
  }
  const response = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body });
  expect(response.status).toBeLessThan(300);
};

const complete = (user: User, mediaId: string) => api.call('POST', `/api/v1/media/${mediaId}/complete`, { token: user.token });
const status = (user: User, mediaId: string, minPosition?: string) =>
  api.call('GET', `/api/v1/media/${mediaId}${minPosition ? `?minPosition=${minPosition}` : ''}`, { token: user.token });
// What was appended, counted from the table: the port's head position may be held back while
// other transactions on the server are open, and then move with nothing appended here.
const head = async () => (await t.allEvents()).length;
const ctx = () => ({ actorId: null, correlationId: 'media-e2e', now: new Date().toISOString() });

/** An upload of `user`'s, PUT and completed; its id and the position of the completion. */
const uploaded = async (user: User, body: Record<string, unknown> = {}) => {
  const upload = await requestUpload(user, body);
  await put(upload.body);
  const completed = await complete(user, upload.body.mediaId);
  expect(completed.status).toBe(202);
  return { mediaId: upload.body.mediaId as string, position: completed.body.position as string };
};

const processedFor = (mediaId: string): ProcessedMedia => ({
  type: 'image',
  width: 1080,
  height: 720,
  blurhash: 'LEHV6nWB2yk8pyo0adR*.7kCMdnj',
  dominantColor: '#336699',
  detectedType: 'image/jpeg',
  variants: [
    { name: 'w1080', key: mediaKeys.variant(mediaId, 'w1080', 'webp'), width: 1080, height: 720, contentType: 'image/webp', size: 1000 },
    { name: 'w320', key: mediaKeys.variant(mediaId, 'w320', 'jpg'), width: 320, height: 213, contentType: 'image/jpeg', size: 300 },
  ],
});

/** What a processing worker records (recorded here directly, so that this test needs no worker). */
const processed = async (mediaId: string) =>
  (await recordProcessingResult(t.platform.commands, { mediaId, result: { outcome: 'processed', processed: processedFor(mediaId) } }, ctx())).position;

describe('the upload flow', () => {
  it('request, PUT, complete: the media is processing, and the owner sees it', async () => {
    const upload = await requestUpload(alice);
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ mediaId: expect.any(String), uploadUrl: expect.any(String), method: 'PUT', expiresAt: expect.any(String), position: expect.any(String) });
    const { mediaId } = upload.body;

    const pending = await status(alice, mediaId, upload.body.position);
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({ id: mediaId, status: 'pending', purpose: 'post' });

    await put(upload.body);
    const completed = await complete(alice, mediaId);
    expect(completed.status).toBe(202);
    expect(completed.body).toEqual({ mediaId, status: 'processing', position: expect.any(String) });

    const seen = await status(alice, mediaId, completed.body.position);
    // A processing worker (when one runs) may already have moved it on.
    expect(['processing', 'ready', 'rejected']).toContain(seen.body.status);
    expect(seen.body).toMatchObject({ id: mediaId, purpose: 'post' });
  });

  it('completing twice is 422 MEDIA_ALREADY_COMPLETED, appending nothing', async () => {
    const upload = await requestUpload(alice);
    await put(upload.body);
    expect((await complete(alice, upload.body.mediaId)).status).toBe(202);
    const before = await head();
    const again = await complete(alice, upload.body.mediaId);
    expect([again.status, again.body.error.code]).toEqual([422, 'MEDIA_ALREADY_COMPLETED']);
    expect(await head()).toBe(before);
  });

  it('completing before the PUT is 422 MEDIA_NOT_UPLOADED, appending nothing', async () => {
    const upload = await requestUpload(alice);
    const before = await head();
    const early = await complete(alice, upload.body.mediaId);
    expect([early.status, early.body.error.code]).toEqual([422, 'MEDIA_NOT_UPLOADED']);
    expect(await head()).toBe(before);
  });

  it("another user's complete and GET are 404 MEDIA_NOT_FOUND", async () => {
    const upload = await requestUpload(alice);
    await put(upload.body);
    const completed = await complete(bob, upload.body.mediaId);
    expect([completed.status, completed.body.error.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    const read = await status(bob, upload.body.mediaId, upload.body.position);
    expect([read.status, read.body.error.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
    const unknown = await status(alice, '0190a0a0-0000-7000-8000-000000000000');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'MEDIA_NOT_FOUND']);
  });

  it('Idempotency-Key on the request answers the same upload again', async () => {
    const headers = { 'idempotency-key': `upload-${Date.now()}` };
    const body = { filename: 'beach.jpg', contentType: 'image/jpeg', size: bytes.length };
    const first = await api.call('POST', '/api/v1/media/uploads', { token: alice.token, body, headers });
    const before = await head();
    const second = await api.call('POST', '/api/v1/media/uploads', { token: alice.token, body, headers });
    expect(second.body.mediaId).toBe(first.body.mediaId);
    expect(await head()).toBe(before);
  });
});

describe('the media read model', () => {
  it('shows processed media as ready, with its dimensions, blurhash and signed variant URLs', async () => {
    const { mediaId } = await uploaded(alice);
    const position = await processed(mediaId);
    const read = await status(alice, mediaId, position);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: mediaId, status: 'ready', purpose: 'post', type: 'image', width: 1080, height: 720, dominantColor: '#336699' });
    expect(read.body.variants.map((variant: { name: string }) => variant.name)).toEqual(['w1080', 'w320']);
    expect(read.body.url).toBe(read.body.variants[0].url);
  });

  it('shows a rejection with its reason and message', async () => {
    const { mediaId } = await uploaded(alice);
    const { position } = await recordProcessingResult(
      t.platform.commands,
      { mediaId, result: { outcome: 'rejected', reason: 'MEDIA_CORRUPT', message: 'the file could not be read' } },
      ctx(),
    );
    const read = await status(alice, mediaId, position);
    expect(read.body).toEqual({ id: mediaId, status: 'rejected', purpose: 'post', reason: 'MEDIA_CORRUPT', message: 'the file could not be read' });
  });

  it('finds media by what they are attached to, and the stale ones for the sweeper', async () => {
    const attached = await uploaded(alice);
    await processed(attached.mediaId);
    const unattached = await uploaded(alice);
    const pending = (await requestUpload(alice)).body.mediaId as string;
    const target = '0190a0a0-0000-7000-8000-0000000000aa';
    await attachMedia(t.platform.commands, { actorId: alice.userId, mediaIds: [attached.mediaId], purpose: 'post', targetId: target }, ctx());
    const position = await processed(unattached.mediaId);
    await status(alice, unattached.mediaId, position);

    expect((await t.platform.reads.mediaUploads.attachedTo(target)).map((record) => [record.mediaId, record.status])).toEqual([[attached.mediaId, 'attached']]);
    const stale = (await t.platform.reads.mediaUploads.stale(Date.now() + UNATTACHED_MEDIA_TTL_MS + 60_000, 1000)).map((record) => record.mediaId);
    expect(stale).toEqual(expect.arrayContaining([unattached.mediaId, pending]));
    expect(stale).not.toContain(attached.mediaId);
    expect(await t.platform.reads.mediaUploads.stale(Date.now() - 60_000, 1000)).toEqual([]);
  });

  it('is rebuilt by the replay CLI to the same content (replay verify)', async () => {
    const verified = await runReplay(t, ['verify', 'media', '--json']);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.records.at(-1)).toMatchObject({ ok: true, differences: 0 });
  });
});

describe('bad uploads are 400 with the field named, appending nothing', () => {
  const cases = [
    { name: 'an unsupported content type', body: { contentType: 'application/pdf' }, code: 'MEDIA_TYPE_UNSUPPORTED', path: 'contentType' },
    { name: 'an image over 16 MB', body: { size: 16 * 1024 * 1024 + 1 }, code: 'MEDIA_TOO_LARGE', path: 'size' },
    { name: 'a video over 100 MB', body: { contentType: 'video/mp4', size: 100 * 1024 * 1024 + 1 }, code: 'MEDIA_TOO_LARGE', path: 'size' },
    { name: 'no filename', body: { filename: '' }, code: 'VALIDATION_FAILED', path: 'filename' },
    { name: 'a size that is no count of bytes', body: { size: 1.5 }, code: 'VALIDATION_FAILED', path: 'size' },
    { name: 'an unknown purpose', body: { purpose: 'banner' }, code: 'VALIDATION_FAILED', path: 'purpose' },
  ];
  for (const { name, body, code, path } of cases) {
    it(name, async () => {
      const before = await head();
      const response = await requestUpload(alice, body);
      expect([response.status, response.body.error.code]).toEqual([400, code]);
      expect(response.body.error.details).toEqual([expect.objectContaining({ path })]);
      expect(await head()).toBe(before);
    });
  }

  it('a video for an avatar is 422 MEDIA_WRONG_PURPOSE', async () => {
    const before = await head();
    const response = await requestUpload(alice, { contentType: 'video/mp4', purpose: 'avatar' });
    expect([response.status, response.body.error.code]).toEqual([422, 'MEDIA_WRONG_PURPOSE']);
    expect(await head()).toBe(before);
  });

  it('a malformed media id is 400', async () => {
    expect((await complete(alice, 'not-a-uuid')).status).toBe(400);
    expect((await status(alice, 'not-a-uuid')).status).toBe(400);
  });
});

describe('with the storage down', () => {
  it('requesting or completing is 503 BACKEND_UNAVAILABLE naming the storage, appending nothing', async () => {
    const upload = await requestUpload(alice);
    const wired = t.platform.commands.storage;
    const down = createInMemoryMediaStorage();
    down.setDown(true);
    t.platform.commands.storage = down;
    try {
      const before = await head();
      for (const response of [await requestUpload(alice), await complete(alice, upload.body.mediaId)]) {
        expect([response.status, response.body.error.code]).toEqual([503, 'BACKEND_UNAVAILABLE']);
        expect(response.body.error.details).toEqual([expect.objectContaining({ path: 'storage' })]);
      }
      expect(await head()).toBe(before);
    } finally {
      t.platform.commands.storage = wired;
    }
  });
});
