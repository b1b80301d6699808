import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../app/platform.js';
import { buildServer } from '../../app/server.js';
import { authentication } from '../../app/http/authentication.js';
import { correlation } from '../../app/http/correlation.js';
import { errorHandling } from '../../app/http/error-handler.js';
import { generatedSecret } from '../../app/jwt-secret.js';
import { createMediaStorage, MEDIA_URL_SECRET_FILE } from '../../app/media-storage.js';
import type { TokenService } from '../../commands/accounts/tokens.js';
import type { Sessions } from '../../commands/accounts/sessions.js';
import { createLocalStorage, type LocalMediaStorage } from '../../media/storage/local/local-storage.js';
import { byteRange, localMediaFiles } from '../../media/storage/local/routes.js';
import { mediaKeys } from '../../media/storage/media-storage.js';
import { defaultSettings } from '../support/settings.js';
import { createTestDatabase } from '../support/test-database.js';
import { mediaStorageContract } from './media-storage.contract.js';

// The MediaStorage contract on local files, served by the API's own /media-files/ routes (a
// Fastify app with just the plugin, behind the real error model and authentication hook, on port
// 0), then what only this adapter has: ranges, ETags, Cache-Control, key rules, the scoped parser.

interface LocalServer {
  app: FastifyInstance;
  url: string;
  dataDir: string;
  storage: LocalMediaStorage;
  /** A storage on the same files and secret, with other options. */
  sibling(options: { publicBaseUrl?: string }): LocalMediaStorage;
  close(): Promise<void>;
}

/** No token is ever valid here: the media routes must not need one. */
const noTokens = { verify: async () => null } as unknown as TokenService;
const noSessions = {} as unknown as Sessions;

const startLocalServer = async (): Promise<LocalServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'media-local-'));
  const secret = await generatedSecret(dataDir, MEDIA_URL_SECRET_FILE);
  const app = Fastify();
  await app.register(errorHandling);
  await app.register(correlation);
  await app.register(authentication, { tokens: noTokens, sessions: noSessions });
  // A JSON route beside the plugin: the plugin's catch-all parser must not reach it.
  app.post('/json', { config: { public: true } }, async (request) => ({ got: request.body }));
  // The URLs name the port, known once listening: the routes get the storage made then.
  const made: { storage?: LocalMediaStorage } = {};
  const late = new Proxy({} as LocalMediaStorage, { get: (_target, property) => Reflect.get(made.storage!, property) as unknown });
  await app.register(localMediaFiles, { storage: late });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const options = { root: join(dataDir, 'media'), publicUrl: address, secret };
  const storage = (made.storage = createLocalStorage(options));
  return {
    app,
    url: address,
    dataDir,
    storage,
    sibling: (more) => createLocalStorage({ ...options, ...more }),
    close: async () => {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

mediaStorageContract('local files', async () => {
  const server = await startLocalServer();
  return { storage: server.storage, withPublicBaseUrl: async (base) => server.sibling({ publicBaseUrl: base }), close: () => server.close() };
});

describe('local storage', () => {
  let server: LocalServer;
  let storage: LocalMediaStorage;
  beforeAll(async () => {
    server = await startLocalServer();
    storage = server.storage;
  });
  afterAll(() => server?.close());

  const video = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
  const stored = async (body = video, contentType = 'video/mp4') => {
    const key = mediaKeys.variant(uuidv7(), 'mp4', 'mp4');
    await storage.put(key, body, { contentType });
    return { key, url: await storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 600 }) };
  };

  it('serves its content type, an ETag, Cache-Control for the rest of the URL’s life, and Accept-Ranges; HEAD gives the headers alone', async () => {
    const { url } = await stored();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe(String(video.length));
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-z-]+"$/);
    const maxAge = Number(/^private, max-age=(\d+), immutable$/.exec(response.headers.get('cache-control')!)![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).equals(video)).toBe(true);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(video.length));
    expect(await head.text()).toBe('');
  });

  it('answers 304 to If-None-Match with its ETag, and the whole object to another', async () => {
    const { url } = await stored();
    const etag = (await fetch(url)).headers.get('etag')!;
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await fetch(url, { headers: { 'if-none-match': `W/${etag}, "other"` } })).status).toBe(304);
    expect((await fetch(url, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('serves byte ranges with 206 and Content-Range (start-end, open-ended, suffix), and 416 for ranges it cannot satisfy', async () => {
    const { url } = await stored();
    const range = async (header: string) => {
      const response = await fetch(url, { headers: { range: header } });
      return { status: response.status, contentRange: response.headers.get('content-range'), body: Buffer.from(await response.arrayBuffer()) };
    };
    expect(await range('bytes=0-99')).toEqual({ status: 206, contentRange: `bytes 0-99/${video.length}`, body: video.subarray(0, 100) });
    expect(await range('bytes=9990-')).toEqual({ status: 206, contentRange: `bytes 9990-9999/${video.length}`, body: video.subarray(9990) });
    expect(await range('bytes=-5')).toEqual({ status: 206, contentRange: `bytes 9995-9999/${video.length}`, body: video.subarray(9995) });
    expect(await range('bytes=9000-20000')).toEqual({ status: 206, contentRange: `bytes 9000-9999/${video.length}`, body: video.subarray(9000) });
    for (const bad of ['bytes=10000-', 'bytes=50-10', 'bytes=-0', 'bytes=-', 'bytes=abc']) {
      expect(await range(bad)).toMatchObject({ status: 416, contentRange: `bytes */${video.length}` });
    }
    // Several ranges or another unit: the whole object (a server may ignore Range).
    expect((await range('bytes=0-1,5-6')).status).toBe(200);
    expect((await range('items=0-1')).status).toBe(200);
    // If-Range with a stale ETag: the whole object.
    expect((await fetch(url, { headers: { range: 'bytes=0-1', 'if-range': '"stale"' } })).status).toBe(200);
  });

  it('parses ranges as RFC 9110 says (byteRange)', () => {
    expect(byteRange(undefined, 10)).toBeNull();
    expect(byteRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(byteRange('bytes=-20', 10)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
  });

  it('takes no bearer token (the signature is the authority), and refuses an unsigned request with 403 UPLOAD_SIGNATURE_INVALID', async () => {
    const { key } = await stored();
    const response = await fetch(`${server.url}/media-files/${key}`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UPLOAD_SIGNATURE_INVALID');
    const put = await fetch(`${server.url}/media-files/${key}?expires=99999999999&signature=x`, { method: 'PUT', headers: { 'content-type': 'video/mp4' }, body: 'x' });
    expect(put.status).toBe(403);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('UPLOAD_SIGNATURE_INVALID');
    // A signed URL of a key with no object: 404.
    const absent = await storage.downloadUrl({ key: mediaKeys.original(uuidv7()), signedAt: new Date(), expiresInSeconds: 60 });
    expect((await fetch(absent)).status).toBe(404);
  });

  it('an upload signature is not a download signature, nor one of another key', async () => {
    const { key } = await stored();
    const upload = await storage.presignUpload({ key, contentType: 'video/mp4', size: video.length, signedAt: new Date(), expiresInSeconds: 60 });
    expect((await fetch(upload.url)).status).toBe(403);
    const other = mediaKeys.original(uuidv7());
    const download = await storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 });
    expect((await fetch(download.replace(key, other))).status).toBe(403);
    const otherUpload = await fetch(upload.url.replace(key, other), { method: 'PUT', headers: upload.headers, body: video });
    expect(otherUpload.status).toBe(403);
  });

  it('accepts only keys of [A-Za-z0-9/_.-] with no segment starting with a dot: no way out of DATA_DIR/media', async () => {
    for (const key of ['../secret', 'media/../../x', '/etc/passwd', 'a//b', '.hidden/x', 'a/./b', 'a b', 'a~meta', '']) {
      await expect(storage.put(key, Buffer.from('x'), { contentType: 'image/jpeg' })).rejects.toThrow(/not a storage key/);
      await expect(storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 })).rejects.toThrow(/not a storage key/);
      expect(await storage.head(key)).toBeNull();
    }
    for (const path of ['/media-files/..%2F..%2Fmedia-url-secret', '/media-files/%2e%2e/media-url-secret', '/media-files/media/x~meta']) {
      const response = await fetch(`${server.url}${path}?expires=99999999999&signature=x`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('keeps the routes’ catch-all parser to itself: the rest of the API still refuses a body that is not JSON', async () => {
    expect((await fetch(`${server.url}/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).status).toBe(200);
    const text = await fetch(`${server.url}/json`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'hello' });
    expect(text.status).toBe(415);
  });

  it('streams a body larger than the API’s 1 MB body limit to disk, and leaves no temporary file behind a refused one', async () => {
    const key = mediaKeys.original(uuidv7());
    const body = Buffer.alloc(3 * 1024 * 1024, 7);
    const presigned = await storage.presignUpload({ key, contentType: 'video/mp4', size: body.length, signedAt: new Date(), expiresInSeconds: 60 });
    // A body cut short: the client sends fewer bytes than it announced and hangs up.
    const short = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: body.subarray(1) }).catch(() => null);
    expect(short === null || short.status >= 400).toBe(true);
    expect(await storage.head(key)).toBeNull();
    expect((await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body })).status).toBe(200);
    expect(await storage.head(key)).toEqual({ size: body.length, contentType: 'video/mp4' });
    const folder = join(server.dataDir, 'media', 'media', key.split('/')[1]!);
    expect((await readdir(folder)).sort()).toEqual(['original', 'original~meta']);
  });

  it('delete removes the object, its sidecar and the folder it leaves empty', async () => {
    const { key } = await stored();
    const folder = key.split('/').slice(0, 2).join('/');
    await storage.delete([key]);
    expect(await readdir(join(server.dataDir, 'media', 'media'))).not.toContain(folder.split('/')[1]);
  });

  it('createMediaStorage: local files under DATA_DIR/media by default, signing with a secret generated once under DATA_DIR', async () => {
    const media = { ...defaultSettings().media, publicUrl: server.url };
    const local = await createMediaStorage(media, server.dataDir);
    expect(local.backend).toBe('local');
    const { key } = await stored(Buffer.from('same secret'), 'image/jpeg');
    // Made again from the same DATA_DIR: the same secret, so the running server honours its URLs.
    const url = await local.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 });
    expect(await (await fetch(url)).text()).toBe('same secret');
    const s3 = await createMediaStorage({ ...media, s3: { bucket: 'b-b-b', endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: undefined, forcePathStyle: true } }, server.dataDir);
    expect(s3.backend).toBe('s3');
    await Promise.all([local.close(), s3.close()]);
  });
});

describe('local storage in the real server (app/server.ts)', () => {
  it('serves /media-files/ outside /api/v1 with no token, while the API keeps its bearer tokens and JSON bodies', async () => {
    const db = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'media-server-'));
    const defaults = defaultSettings();
    const platform = await createPlatform({ ...defaults, databaseUrl: db.url, jwtSecrets: ['test-secret-that-is-at-least-32-characters-long'] });
    const storage = (await createMediaStorage({ ...defaults.media, publicUrl: 'http://api.test' }, dataDir)) as LocalMediaStorage;
    const app = await buildServer({ ...platform, mediaStorage: storage });
    try {
      const key = mediaKeys.original(uuidv7());
      const body = Buffer.from('not really a jpeg');
      const presigned = await storage.presignUpload({ key, contentType: 'image/jpeg', size: body.length, signedAt: new Date(), expiresInSeconds: 60 });
      expect(presigned.url.startsWith('http://api.test/media-files/')).toBe(true);
      const path = presigned.url.slice('http://api.test'.length);
      const put = await app.inject({ method: 'PUT', url: path, headers: presigned.headers, payload: body });
      expect(put.statusCode).toBe(200);
      const download = (await storage.downloadUrl({ key, signedAt: new Date(), expiresInSeconds: 60 })).slice('http://api.test'.length);
      const got = await app.inject({ method: 'GET', url: download });
      expect(got.statusCode).toBe(200);
      expect(got.headers['content-type']).toBe('image/jpeg');
      expect(got.rawPayload.equals(body)).toBe(true);
      expect((await app.inject({ method: 'GET', url: download.split('?')[0]! })).json()).toMatchObject({ error: { code: 'UPLOAD_SIGNATURE_INVALID' } });
      // The rest of the API: still a bearer token, still JSON only.
      expect((await app.inject({ method: 'GET', url: '/api/v1/feed/home' })).statusCode).toBe(401);
      const login = await app.inject({ method: 'POST', url: '/api/v1/users/login', headers: { 'content-type': 'image/jpeg' }, payload: body });
      expect(login.statusCode).toBe(415);
    } finally {
      await app.close();
      await platform.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
