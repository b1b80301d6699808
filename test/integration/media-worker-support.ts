import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { errorHandling } from '../../app/http/error-handler.js';
import { generatedSecret } from '../../app/jwt-secret.js';
import { MEDIA_URL_SECRET_FILE } from '../../app/media-storage.js';
import { createLocalStorage, type LocalMediaStorage } from '../../media/storage/local/local-storage.js';
import { localMediaFiles } from '../../media/storage/local/routes.js';
import { v7 as uuidv7 } from 'uuid';
import type { CommandContext } from '../../commands/command-context.js';
import type { CommandDeps } from '../../commands/deps.js';
import { completeUpload, requestUpload } from '../../commands/media/media.js';
import { mediaWorkerCommands } from '../../app/media-workers.js';
import type { EventStore } from '../../events/index.js';
import { streams } from '../../events/index.js';
import type { MediaPurpose } from '../../events/media-events.js';
import { createS3Storage } from '../../media/storage/s3/s3-storage.js';
import { s3TestSettings } from '../support/s3.js';
import { StorageUnavailable, type MediaStorage } from '../../media/storage/media-storage.js';

// What the media worker tests share: the media commands bound to their deps as the composition
// binds them, an upload made as a client makes one (request, PUT to the presigned URL, complete),
// and a spy on the storage that counts what it writes (it delegates to the real storage).

export const ctxOf = (actorId: string | null, now = new Date()): CommandContext => ({ actorId, correlationId: uuidv7(), now: now.toISOString() });

/** The media commands as the composition binds them. */
export const workerCommands = mediaWorkerCommands;

/** A client's upload: ask for the URL, PUT the bytes with the headers given, say it is complete (unless told not to). */
export const uploadAs = async (
  deps: CommandDeps,
  ownerId: string,
  bytes: Buffer,
  { contentType = 'image/jpeg', purpose = 'post' as MediaPurpose, complete = true, now = new Date() } = {},
): Promise<string> => {
  const upload = await requestUpload(deps, { ownerId, filename: 'photo.jpg', contentType, size: bytes.length, purpose }, ctxOf(ownerId, now));
  // fetch sets the length from the body itself.
  const headers: Record<string, string> = Object.fromEntries(Object.entries(upload.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
  const response = await fetch(upload.uploadUrl, { method: upload.method, headers, body: new Uint8Array(bytes) });
  if (response.status >= 300) throw new Error(`the PUT answered ${response.status}: ${await response.text()}`);
  if (complete) await completeUpload(deps, { actorId: ownerId, mediaId: upload.mediaId }, ctxOf(ownerId, now));
  return upload.mediaId;
};

export const typesOf = async (store: EventStore, mediaId: string) => (await store.readStream(streams.media(mediaId))).map((event) => event.type);

/** How many results (MediaProcessed or MediaRejected) each upload's stream holds, in the order given: exactly once is 1 each. */
export const resultCounts = async (store: EventStore, mediaIds: readonly string[]): Promise<number[]> =>
  (await Promise.all(mediaIds.map((mediaId) => typesOf(store, mediaId)))).map((types) => types.filter((type) => type === 'MediaProcessed' || type === 'MediaRejected').length);

export interface CountingStorage extends MediaStorage {
  /** Keys written, once per put (a key written twice appears twice). */
  readonly puts: string[];
}

/**
 * Delegates everything to `storage`, noting each put; `failPutAfter` makes every put after the
 * n-th throw (a crash mid-file); `downForPuts` makes the first n puts throw as a storage that is down.
 */
export const countingStorage = (storage: MediaStorage, options: { failPutAfter?: number; downForPuts?: number } = {}): CountingStorage => {
  const puts: string[] = [];
  let started = 0;
  return {
    backend: storage.backend,
    puts,
    presignUpload: (request) => storage.presignUpload(request),
    downloadUrl: (request) => storage.downloadUrl(request),
    publicUrl: (key) => storage.publicUrl(key),
    head: (key) => storage.head(key),
    read: (key) => storage.read(key),
    async put(key, body, putOptions) {
      const attempt = started++;
      if (options.failPutAfter !== undefined && attempt >= options.failPutAfter) throw new Error('killed mid-file (test)');
      if (options.downForPuts !== undefined && attempt < options.downForPuts) throw new StorageUnavailable('s3', 's3: down (test)');
      await storage.put(key, body, putOptions);
      puts.push(key);
    },
    delete: (keys) => storage.delete(keys),
    ping: () => storage.ping(),
    close: () => storage.close(),
  };
};

/** The S3-compatible store of the tests (test/support/s3.ts: services:up's S3Proxy, or one started for the run). */
export const testS3 = async (): Promise<MediaStorage> => createS3Storage(await s3TestSettings());

/** The S3_* variables of that store, for a child process's environment. */
export const s3Environment = async (): Promise<Record<string, string>> => {
  const settings = await s3TestSettings();
  return {
    S3_BUCKET: settings.bucket,
    ...(settings.endpoint ? { S3_ENDPOINT: settings.endpoint } : {}),
    S3_REGION: settings.region,
    ...(settings.credentials ? { S3_ACCESS_KEY_ID: settings.credentials.accessKeyId, S3_SECRET_ACCESS_KEY: settings.credentials.secretAccessKey } : {}),
    S3_FORCE_PATH_STYLE: String(settings.forcePathStyle),
  };
};

/**
 * The local adapter (files under a temporary DATA_DIR/media) with its /media-files/ routes served
 * by a Fastify app of their own on port 0, as the API serves them: uploads are PUT there.
 */
export const startLocalStorage = async (): Promise<{ storage: MediaStorage; close(): Promise<void> }> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'media-worker-local-'));
  const app = Fastify();
  await app.register(errorHandling);
  // The URLs name the port, known once listening: the routes get the storage made then.
  const made: { storage?: LocalMediaStorage } = {};
  const late = new Proxy({} as LocalMediaStorage, { get: (_target, property) => Reflect.get(made.storage!, property) as unknown });
  await app.register(localMediaFiles, { storage: late });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  made.storage = createLocalStorage({ root: join(dataDir, 'media'), publicUrl: address, secret: await generatedSecret(dataDir, MEDIA_URL_SECRET_FILE) });
  return {
    storage: made.storage,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
