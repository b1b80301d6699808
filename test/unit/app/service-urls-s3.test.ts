import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../app/config.js';
import { formatServiceUrls, parseServiceUrls, withServiceUrls } from '../../../app/service-urls.js';

// services:up writes S3Proxy's endpoint, bucket and credentials to .services/urls.env, so that
// `npm start` keeps media in it; a store of one's own in the environment takes none of them.
const S3PROXY = {
  S3_ENDPOINT: 'http://127.0.0.1:19000',
  S3_BUCKET: 'instagram-es-media',
  S3_REGION: 'us-east-1',
  S3_ACCESS_KEY_ID: 'id',
  S3_SECRET_ACCESS_KEY: 'secret',
  S3_FORCE_PATH_STYLE: 'true',
};

const rootWith = (text: string) => {
  const root = mkdtempSync(join(tmpdir(), 'urls-s3-'));
  mkdirSync(join(root, '.services'));
  writeFileSync(join(root, '.services', 'urls.env'), text);
  return root;
};

describe('.services/urls.env and S3', () => {
  it('round-trips the S3 variables (names with digits) through the file', () => {
    expect(parseServiceUrls(formatServiceUrls({ REDIS_URL: 'redis://r', ...S3PROXY }))).toEqual({ REDIS_URL: 'redis://r', ...S3PROXY });
  });

  it('switches npm start to the S3 store services:up started', () => {
    const root = rootWith(formatServiceUrls(S3PROXY));
    const settings = loadSettings(withServiceUrls({}, root), []);
    expect(settings.media.s3).toEqual({
      bucket: 'instagram-es-media',
      endpoint: 'http://127.0.0.1:19000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
    rmSync(root, { recursive: true });
  });

  it('fills in the S3 variables only as a group: a bucket of one’s own gets no S3Proxy endpoint or credentials', () => {
    const root = rootWith(formatServiceUrls({ REDIS_URL: 'redis://file', ...S3PROXY }));
    expect(withServiceUrls({ S3_BUCKET: 'mine' }, root)).toEqual({ S3_BUCKET: 'mine', REDIS_URL: 'redis://file' });
    rmSync(root, { recursive: true });
  });
});
