import { resolve } from 'node:path';
import { loadSettings } from '../../app/config.js';
import { withServiceUrls } from '../../app/service-urls.js';
import type { S3StorageOptions } from '../../media/storage/s3/s3-storage.js';
import { ensureBucket, ensureS3Proxy } from '../../scripts/services/s3proxy.js';

// The S3-compatible store for tests: the one named by S3_ENDPOINT and friends in the environment,
// else in .services/urls.env (npm run services:up), else an S3Proxy started here from Maven
// Central (as services:up would, and left running for the next run: services:down stops it).
// The bucket is created when missing. Tests keep to keys of their own, under fresh media ids.
const ROOT = resolve(import.meta.dirname, '../..');

let settings: Promise<S3StorageOptions> | undefined;

/** S3_* of the environment, else of .services/urls.env, as the platform reads them (app/config.ts). */
const fromEnvironment = (): S3StorageOptions | null => {
  const s3 = loadSettings(withServiceUrls(process.env, ROOT), []).media.s3;
  return s3?.endpoint ? s3 : null;
};

const resolveSettings = async (): Promise<S3StorageOptions> => {
  const given = fromEnvironment();
  if (given) {
    await ensureBucket(given.bucket, given);
    return given;
  }
  const store = await ensureS3Proxy(resolve(ROOT, '.services'), Number(process.env.SERVICES_S3_PORT ?? 19000));
  console.log(`[tests] no S3 configured; using S3Proxy at ${store.endpoint}`);
  return { bucket: store.bucket, endpoint: store.endpoint, region: store.region, credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey }, forcePathStyle: true };
};

/** The test store's settings (bucket made), once per test file. */
export const s3TestSettings = (): Promise<S3StorageOptions> => (settings ??= resolveSettings());
