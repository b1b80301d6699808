import { resolve } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { readServiceUrls } from '../../app/service-urls.js';
import type { S3StorageOptions } from '../../media/storage/s3/s3-storage.js';
import { ensureS3Proxy } from '../../scripts/services/s3proxy.js';

// The S3-compatible store for tests: the one named by S3_ENDPOINT and friends in the environment,
// else in .services/urls.env (npm run services:up), else an S3Proxy started here from Maven
// Central (as services:up would, and left running for the next run: services:down stops it).
// The bucket is created when missing. Tests keep to keys of their own, under fresh media ids.
const ROOT = resolve(import.meta.dirname, '../..');

let settings: Promise<S3StorageOptions> | undefined;

const fromEnvironment = (): S3StorageOptions | null => {
  const env = { ...readServiceUrls(ROOT), ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('S3_'))) } as Record<string, string | undefined>;
  if (!env.S3_BUCKET || !env.S3_ENDPOINT) return null;
  return {
    bucket: env.S3_BUCKET,
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION ?? 'us-east-1',
    credentials: env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE !== 'false',
  };
};

const ensureBucket = async (options: S3StorageOptions) => {
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    forcePathStyle: options.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: options.bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
  } finally {
    client.destroy();
  }
};

const resolveSettings = async (): Promise<S3StorageOptions> => {
  const given = fromEnvironment();
  if (given) {
    await ensureBucket(given);
    return given;
  }
  const store = await ensureS3Proxy(resolve(ROOT, '.services'), Number(process.env.SERVICES_S3_PORT ?? 19000));
  console.log(`[tests] no S3 configured; using S3Proxy at ${store.endpoint}`);
  return { bucket: store.bucket, endpoint: store.endpoint, region: store.region, credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey }, forcePathStyle: true };
};

/** The test store's settings (bucket made), once per test file. */
export const s3TestSettings = (): Promise<S3StorageOptions> => (settings ??= resolveSettings());
