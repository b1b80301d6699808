import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadedMediaItem } from '../../events/index.js';
import { mediaKeys, StoredObjectMissing, type MediaStorage } from '../../media/storage/media-storage.js';
import { createMediaPresenter, PRIVATE_URL_TTL_SECONDS, PUBLIC_URL_TTL_SECONDS } from '../../read-api/media-presenter.js';

// The one contract every MediaStorage adapter passes (docs/architecture.md "Media"): S3 (against
// S3Proxy with authentication on) and local files served by the API's own route. Every refusal is
// the storage's own, over real HTTP: the URL goes to the store exactly as a client would use it.

export interface MediaStorageHarness {
  /** The storage, with no CDN configured. */
  storage: MediaStorage;
  /** The same store, with MEDIA_PUBLIC_BASE_URL set to `base`. */
  withPublicBaseUrl(base: string): Promise<MediaStorage>;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;
/** The presenter's signing windows (read-api/media-presenter.ts): a URL lives at most window + TTL. */
const PRIVATE_WINDOW_SECONDS = 5 * 60;
const PUBLIC_WINDOW_SECONDS = 6 * 60 * 60;

const bytes = (size: number) => randomBytes(size);
const textOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};
const put = (url: string, headers: Record<string, string>, body: Buffer) => fetch(url, { method: 'PUT', headers, body });
/** The URL with its signature's last character changed. */
const tampered = (url: string) => url.replace(/(signature=[^&]*?)(.)(&|$)/i, (_all, head: string, last: string, tail: string) => `${head}${last === 'A' || last === '0' ? 'B' : 'A'}${tail}`);

export const mediaStorageContract = (name: string, makeHarness: () => Promise<MediaStorageHarness>) =>
  describe(`MediaStorage contract: ${name}`, () => {
    let harness: MediaStorageHarness;
    let storage: MediaStorage;
    const keys: string[] = [];
    /** A fresh original's key, deleted after the file. */
    const freshKey = (variant?: string) => {
      const id = uuidv7();
      const key = variant ? mediaKeys.variant(id, variant, 'jpg') : mediaKeys.original(id);
      keys.push(key);
      return key;
    };
    const upload = (key: string, size: number, { contentType = 'image/jpeg', signedAt = new Date(), expiresInSeconds = 600 } = {}) =>
      storage.presignUpload({ key, contentType, size, signedAt, expiresInSeconds });

    beforeAll(async () => {
      harness = await makeHarness();
      storage = harness.storage;
      await storage.ping();
    });
    afterAll(async () => {
      await storage?.delete(keys);
      await harness?.close();
    });

    it('an upload through the presigned URL with the headers it gives is stored: head and read give the bytes back', async () => {
      const key = freshKey();
      const body = bytes(70_000);
      const presigned = await upload(key, body.length);
      expect(presigned.method).toBe('PUT');
      expect(presigned.headers).toMatchObject({ 'content-type': 'image/jpeg', 'content-length': String(body.length) });
      expect(Date.parse(presigned.expiresAt)).toBeGreaterThan(Date.now());
      const response = await put(presigned.url, presigned.headers, body);
      expect(response.status).toBe(200);
      expect(await storage.head(key)).toEqual({ size: body.length, contentType: 'image/jpeg' });
      expect((await textOf(await storage.read(key))).equals(body)).toBe(true);
    });

    it('URLs signed at the same instant are identical', async () => {
      const key = freshKey();
      const signedAt = new Date();
      const [a, b] = [await upload(key, 10, { signedAt }), await upload(key, 10, { signedAt })];
      expect(a).toEqual(b);
      expect(await storage.downloadUrl({ key, signedAt, expiresInSeconds: 60 })).toBe(await storage.downloadUrl({ key, signedAt, expiresInSeconds: 60 }));
    });

    it('the storage refuses an upload with a tampered signature, and stores nothing', async () => {
      const key = freshKey();
      const body = bytes(1000);
      const presigned = await upload(key, body.length);
      const response = await put(tampered(presigned.url), presigned.headers, body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await storage.head(key)).toBeNull();
    });

    it('the storage refuses an expired upload URL (signed an hour ago for 60 s), and stores nothing', async () => {
      const key = freshKey();
      const body = bytes(1000);
      const presigned = await upload(key, body.length, { signedAt: new Date(Date.now() - HOUR_MS), expiresInSeconds: 60 });
      expect(Date.parse(presigned.expiresAt)).toBeLessThan(Date.now());
      const response = await put(presigned.url, presigned.headers, body);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(await storage.head(key)).toBeNull();
    });

    it('the storage refuses a PUT of another length than declared, shorter or longer, and stores nothing', async () => {
      const key = freshKey();
      const presigned = await upload(key, 1000);
      for (const body of [bytes(999), bytes(1001), bytes(0)]) {
        const response = await put(presigned.url, { 'content-type': 'image/jpeg' }, body);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
      expect(await storage.head(key)).toBeNull();
    });

    it('the storage refuses a PUT with another content type than declared, and stores nothing', async () => {
      const key = freshKey();
      const body = bytes(1000);
      const presigned = await upload(key, body.length);
      for (const contentType of ['image/png', 'text/html', 'application/octet-stream']) {
        const response = await put(presigned.url, { ...presigned.headers, 'content-type': contentType }, body);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
      }
      expect(await storage.head(key)).toBeNull();
    });

    it('a download URL gives the bytes; one that has expired (signed an hour ago for 60 s) or is tampered with is refused', async () => {
      const key = freshKey();
      const body = bytes(5000);
      await storage.put(key, body, { contentType: 'image/jpeg' });
      const url = await storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
      const expired = await fetch(await storage.downloadUrl({ key, signedAt: new Date(Date.now() - HOUR_MS), expiresInSeconds: 60 }));
      expect(expired.status).toBe(403);
      expect((await fetch(tampered(url))).status).toBe(403);
    });

    it('put, head, read and delete round trip, from a buffer and from a stream', async () => {
      const [fromBuffer, fromStream] = [freshKey('w1080'), freshKey('w640')];
      const body = bytes(200_000);
      await storage.put(fromBuffer, body, { contentType: 'image/jpeg', cacheControl: 'public, max-age=31536000, immutable' });
      await storage.put(fromStream, Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), { contentType: 'image/webp' });
      expect(await storage.head(fromBuffer)).toEqual({ size: body.length, contentType: 'image/jpeg' });
      expect(await storage.head(fromStream)).toEqual({ size: body.length, contentType: 'image/webp' });
      expect((await textOf(await storage.read(fromStream))).equals(body)).toBe(true);
      // A second put replaces the object whole.
      await storage.put(fromBuffer, Buffer.from('again'), { contentType: 'image/jpeg' });
      expect((await textOf(await storage.read(fromBuffer))).toString()).toBe('again');
      await storage.delete([fromBuffer, fromStream]);
      expect(await storage.head(fromBuffer)).toBeNull();
      expect(await storage.head(fromStream)).toBeNull();
      await expect(storage.read(fromBuffer)).rejects.toBeInstanceOf(StoredObjectMissing);
    });

    it('deleting absent keys is fine, also more than one request takes, with present ones among them', async () => {
      const present = [freshKey('w320'), freshKey('w150')];
      for (const key of present) await storage.put(key, Buffer.from(key), { contentType: 'image/jpeg' });
      const absent = Array.from({ length: 1500 }, () => mediaKeys.variant(uuidv7(), 'w640', 'webp'));
      await storage.delete([...absent.slice(0, 1200), ...present, ...absent.slice(1200)]);
      for (const key of present) expect(await storage.head(key)).toBeNull();
      await storage.delete(present);
      await storage.delete([]);
    });

    it('siblings of one media (original and variants) live side by side, and one deleted leaves the others', async () => {
      const id = uuidv7();
      const siblings = [mediaKeys.original(id), mediaKeys.variant(id, 'w1080', 'jpg'), mediaKeys.variant(id, 'w1080', 'webp')];
      keys.push(...siblings);
      for (const key of siblings) await storage.put(key, Buffer.from(key), { contentType: 'image/jpeg' });
      await storage.delete([siblings[0]!]);
      expect(await storage.head(siblings[0]!)).toBeNull();
      expect((await textOf(await storage.read(siblings[2]!))).toString()).toBe(siblings[2]);
    });

    it('takes only keys of [A-Za-z0-9/_.-] with no segment starting with a dot (the same keys on every adapter)', async () => {
      for (const key of ['../x', 'media/../x', '/abs', 'a//b', '.hidden', 'a b', 'a~meta']) {
        await expect(storage.presignUpload({ key, contentType: 'image/jpeg', size: 1, signedAt: new Date(), expiresInSeconds: 60 })).rejects.toThrow(/not a storage key/);
        await expect(storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 })).rejects.toThrow(/not a storage key/);
        await expect(storage.put(key, Buffer.from('x'), { contentType: 'image/jpeg' })).rejects.toThrow(/not a storage key/);
      }
    });

    describe('media URLs (read-api/media-presenter.ts)', () => {
      const item = (key: string): UploadedMediaItem => ({
        mediaId: uuidv7(),
        type: 'image',
        width: 1080,
        height: 1080,
        blurhash: 'LEHV6nWB2yk8',
        dominantColor: '#336699',
        detectedType: 'image/jpeg',
        variants: [{ name: 'w1080', key, width: 1080, height: 1080, contentType: 'image/jpeg', size: 4 }],
      });
      let key: string;
      beforeAll(async () => {
        key = freshKey('w1080');
        await storage.put(key, Buffer.from('jpeg'), { contentType: 'image/jpeg' });
      });

      it("a private account's media URL is signed and short-lived: it works now, not without its signature, and not past TTL + window", async () => {
        const [presented] = await createMediaPresenter(storage).present([item(key)], { private: true });
        const url = presented!.url;
        expect(presented!.variants![0]!.url).toBe(url);
        expect(await (await fetch(url)).text()).toBe('jpeg');
        expect((await fetch(url.split('?')[0]!)).status).toBeGreaterThanOrEqual(400);
        expect((await fetch(tampered(url))).status).toBe(403);
        // Presented TTL + window (and a little) ago, the URL it gave has expired by now.
        const then = new Date(Date.now() - (PRIVATE_URL_TTL_SECONDS + PRIVATE_WINDOW_SECONDS + 5) * 1000);
        const [old] = await createMediaPresenter(storage, () => then).present([item(key)], { private: true });
        expect((await fetch(old!.url)).status).toBe(403);
        // ... while one presented just under TTL ago still works (however the window fell).
        const recently = new Date(Date.now() - (PRIVATE_URL_TTL_SECONDS - PRIVATE_WINDOW_SECONDS - 30) * 1000);
        const [recent] = await createMediaPresenter(storage, () => recently).present([item(key)], { private: true });
        expect((await fetch(recent!.url)).status).toBe(200);
      });

      it("a public account's media URL is the CDN's, unsigned, when MEDIA_PUBLIC_BASE_URL is set; a day-long signed URL otherwise", async () => {
        const cdn = await harness.withPublicBaseUrl('https://cdn.example.com/media-root');
        const [viaCdn] = await createMediaPresenter(cdn).present([item(key)], { private: false });
        expect(viaCdn!.url).toBe(`https://cdn.example.com/media-root/${key}`);
        // Private media never go through the CDN, even when one is set.
        const [privateViaCdn] = await createMediaPresenter(cdn).present([item(key)], { private: true });
        expect(privateViaCdn!.url.startsWith('https://cdn.example.com')).toBe(false);
        expect((await fetch(privateViaCdn!.url)).status).toBe(200);

        const [signed] = await createMediaPresenter(storage).present([item(key)], { private: false });
        expect(await (await fetch(signed!.url)).text()).toBe('jpeg');
        const then = new Date(Date.now() - (PUBLIC_URL_TTL_SECONDS + PUBLIC_WINDOW_SECONDS + 5) * 1000);
        const [old] = await createMediaPresenter(storage, () => then).present([item(key)], { private: false });
        expect((await fetch(old!.url)).status).toBe(403);
      });
    });
  });
