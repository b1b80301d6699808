import { join, resolve } from 'node:path';
import { generatedSecret } from './jwt-secret.js';
import type { MediaSettings } from './config.js';
import { createLocalStorage, type LocalMediaStorage } from '../media/storage/local/local-storage.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import { createS3Storage } from '../media/storage/s3/s3-storage.js';

// Which MediaStorage the platform uses (docs/architecture.md "Media"): S3_BUCKET set, the S3
// adapter on that bucket (`npm run services:up` writes S3Proxy's into .services/urls.env, so
// `npm start` uses it); unset, files under DATA_DIR/media that the API signs (HMAC, with a secret
// generated once under DATA_DIR) and serves itself at /media-files/ (app/server.ts registers it).

/** The file under DATA_DIR holding the local storage's URL signing key. */
export const MEDIA_URL_SECRET_FILE = 'media-url-secret';

export const createMediaStorage = async (media: MediaSettings, dataDir: string): Promise<MediaStorage> => {
  if (media.s3) {
    const { bucket, endpoint, region, credentials, forcePathStyle } = media.s3;
    return createS3Storage({ bucket, endpoint, region, credentials, forcePathStyle, publicBaseUrl: media.publicBaseUrl });
  }
  const root = resolve(dataDir);
  return createLocalStorage({
    root: join(root, 'media'),
    publicUrl: media.publicUrl,
    publicBaseUrl: media.publicBaseUrl,
    secret: await generatedSecret(root, MEDIA_URL_SECRET_FILE),
  });
};

/** The local adapter, whose files the API serves itself; null for a storage that serves its own. */
export const locallyServed = (storage: MediaStorage | undefined): LocalMediaStorage | null =>
  storage?.backend === 'local' ? (storage as LocalMediaStorage) : null;
