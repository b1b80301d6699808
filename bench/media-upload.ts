// Upload throughput: presigned PUTs (fetch to the URL presignUpload gives, with its headers) of
// UPLOAD_BYTES bodies at UPLOAD_CONCURRENCY at once, next to same-run baselines of the same
// bodies written without a presigned URL:
//   - S3 (S3Proxy from services:up, or S3_* in the environment): presigned PUT vs a plain SDK PutObject;
//   - local files: presigned PUT through the API's /media-files/ route (a Fastify app with just
//     the plugin, in this process) vs storage.put straight to disk.
//   npm run bench:media:upload    (UPLOADS, UPLOAD_BYTES, UPLOAD_CONCURRENCY)
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { readServiceUrls } from '../app/service-urls.js';
import { createLocalStorage, type LocalMediaStorage } from '../media/storage/local/local-storage.js';
import { localMediaFiles } from '../media/storage/local/routes.js';
import { mediaKeys, type MediaStorage } from '../media/storage/media-storage.js';
import { createS3Storage, type S3StorageOptions } from '../media/storage/s3/s3-storage.js';
import { printFigures } from './support/report.js';

const UPLOADS = Number(process.env.UPLOADS ?? 100);
const BYTES = Number(process.env.UPLOAD_BYTES ?? 1024 * 1024);
const CONCURRENCY = Number(process.env.UPLOAD_CONCURRENCY ?? 8);
const CONTENT_TYPE = 'image/jpeg';

interface Row {
  what: string;
  uploadsPerSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}
const rows: Row[] = [];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Runs `upload` UPLOADS times, CONCURRENCY at a time; one row of figures. */
const measure = async (what: string, upload: (key: string, body: Buffer) => Promise<void>, keys: string[]) => {
  const bodies = Array.from({ length: Math.min(UPLOADS, 16) }, () => randomBytes(BYTES));
  // One warm-up upload (connections, JIT), not counted.
  const warmKey = mediaKeys.original(uuidv7());
  keys.push(warmKey);
  await upload(warmKey, bodies[0]!);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < UPLOADS) {
        const index = next++;
        const key = mediaKeys.original(uuidv7());
        keys.push(key);
        const at = performance.now();
        await upload(key, bodies[index % bodies.length]!);
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const row = {
    what,
    uploadsPerSecond: Math.round((UPLOADS / seconds) * 10) / 10,
    megabytesPerSecond: Math.round(((UPLOADS * BYTES) / 1024 / 1024 / seconds) * 10) / 10,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
  };
  rows.push(row);
  console.log(`${what.padEnd(44)} ${String(row.uploadsPerSecond).padStart(7)} uploads/s ${String(row.megabytesPerSecond).padStart(7)} MB/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms`);
};

/** The presigned path a client takes: sign, then PUT the bytes with the headers given. */
const presignedPut = (storage: MediaStorage) => async (key: string, body: Buffer) => {
  const presigned = await storage.presignUpload({ key, contentType: CONTENT_TYPE, size: body.length, signedAt: new Date(), expiresInSeconds: 900 });
  const response = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body });
  if (response.status !== 200) throw new Error(`PUT answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
};

const s3Settings = (): S3StorageOptions | null => {
  const env = { ...readServiceUrls(resolve(import.meta.dirname, '..')), ...process.env } as Record<string, string | undefined>;
  if (!env.S3_BUCKET) return null;
  return {
    bucket: env.S3_BUCKET,
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION ?? 'us-east-1',
    credentials: env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
  };
};

const benchS3 = async () => {
  const settings = s3Settings();
  if (!settings) {
    console.log('S3: no S3_BUCKET (run npm run services:up for S3Proxy): skipped');
    return;
  }
  const storage = createS3Storage(settings);
  await storage.ping();
  const client = new S3Client({ ...settings, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const keys: string[] = [];
  await measure('S3 baseline: SDK PutObject', async (key, body) => {
    await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: body, ContentType: CONTENT_TYPE }));
  }, keys);
  await measure('S3: presigned PUT (fetch)', presignedPut(storage), keys);
  await storage.delete(keys);
  client.destroy();
  await storage.close();
};

const benchLocal = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const app = Fastify();
  const made: { storage?: LocalMediaStorage } = {};
  await app.register(localMediaFiles, { storage: new Proxy({} as LocalMediaStorage, { get: (_t, property) => Reflect.get(made.storage!, property) as unknown }) });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const storage = (made.storage = createLocalStorage({ root: join(dataDir, 'media'), publicUrl: address, secret: randomBytes(32).toString('hex') }));
  const keys: string[] = [];
  await measure('local baseline: storage.put to disk', (key, body) => storage.put(key, body, { contentType: CONTENT_TYPE }), keys);
  await measure('local: presigned PUT through /media-files/', presignedPut(storage), keys);
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
};

console.log(`${UPLOADS} uploads of ${(BYTES / 1024 / 1024).toFixed(2)} MB, ${CONCURRENCY} at a time`);
await benchS3();
await benchLocal();
const ratio = (presigned: string, baseline: string) => {
  const [a, b] = [rows.find((row) => row.what.startsWith(presigned)), rows.find((row) => row.what.startsWith(baseline))];
  return a && b ? Math.round((b.uploadsPerSecond / a.uploadsPerSecond) * 100) / 100 : null;
};
printFigures('media-upload', {
  uploads: UPLOADS,
  bodyBytes: BYTES,
  concurrency: CONCURRENCY,
  rows,
  /** Baseline throughput over presigned throughput: 1 means the presigned path costs nothing extra. */
  s3BaselineOverPresigned: ratio('S3: presigned', 'S3 baseline'),
  localBaselineOverPresigned: ratio('local: presigned', 'local baseline'),
});
