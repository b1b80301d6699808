// Upload throughput: presigned PUTs (fetch to the URL presignUpload gives, with its headers) of
// UPLOAD_BYTES bodies at UPLOAD_CONCURRENCY at once, next to same-run baselines of the same
// bodies written without a presigned URL:
//   - S3 (S3Proxy from services:up, or S3_* in the environment): presigned PUT vs a plain SDK PutObject;
//   - local files: presigned PUT through the API's /media-files/ route (a Fastify app with just
//     the plugin, in this process) vs a plain PUT of the same bytes to a bare route that streams
//     them to a file, and vs storage.put straight to disk.
//   npm run bench:media:upload    (UPLOADS, UPLOAD_BYTES, UPLOAD_CONCURRENCY, UPLOAD_ROUNDS)
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { loadSettings } from '../app/config.js';
import { withServiceUrls } from '../app/service-urls.js';
import { createLocalStorage, type LocalMediaStorage } from '../media/storage/local/local-storage.js';
import { localMediaFiles } from '../media/storage/local/routes.js';
import { mediaKeys, type MediaStorage } from '../media/storage/media-storage.js';
import { createS3Storage, type S3StorageOptions } from '../media/storage/s3/s3-storage.js';
import { printFigures } from './support/report.js';

const UPLOADS = Number(process.env.UPLOADS ?? 100);
const BYTES = Number(process.env.UPLOAD_BYTES ?? 1024 * 1024);
const CONCURRENCY = Number(process.env.UPLOAD_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.UPLOAD_ROUNDS ?? 3);
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
  return row;
};

/**
 * The paths measured in turn, ROUNDS times over (so that load from elsewhere on the machine falls
 * on all of them alike); each path's best round is its figure.
 */
const compare = async (paths: [string, (key: string, body: Buffer) => Promise<void>][], keys: string[]) => {
  const best = new Map<string, Row>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [what, upload] of paths) {
      const row = await measure(what, upload, keys);
      if ((best.get(what)?.uploadsPerSecond ?? 0) < row.uploadsPerSecond) best.set(what, row);
    }
  }
  for (const row of best.values()) {
    rows.push(row);
    console.log(`${row.what.padEnd(44)} ${String(row.uploadsPerSecond).padStart(7)} uploads/s ${String(row.megabytesPerSecond).padStart(7)} MB/s  p50 ${row.p50Ms} ms  p99 ${row.p99Ms} ms`);
  }
};

// node:http rather than fetch as the client: undici's fetch copies a Buffer body through a web
// stream and is itself the bottleneck at these sizes (half the rate on this machine).
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const httpPut = (url: string, headers: Record<string, string>, body: Buffer) =>
  new Promise<void>((resolvePut, reject) => {
    const sent = request(url, { method: 'PUT', headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => (response.statusCode === 200 ? resolvePut() : reject(new Error(`PUT answered ${response.statusCode}: ${Buffer.concat(chunks).toString()}`))));
    });
    sent.on('error', reject);
    sent.end(body);
  });

/** The presigned path a client takes: sign, then PUT the bytes with the headers given. */
const presignedPut = (storage: MediaStorage) => async (key: string, body: Buffer) => {
  const presigned = await storage.presignUpload({ key, contentType: CONTENT_TYPE, size: body.length, signedAt: new Date(), expiresInSeconds: 900 });
  await httpPut(presigned.url, presigned.headers, body);
};

/** S3_* of the environment, else of .services/urls.env, as the platform reads them. */
const s3Settings = (): S3StorageOptions | null => loadSettings(withServiceUrls(process.env, resolve(import.meta.dirname, '..')), []).media.s3 ?? null;

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
  await compare(
    [
      [
        'S3 baseline: SDK PutObject',
        async (key, body) => {
          await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: body, ContentType: CONTENT_TYPE }));
        },
      ],
      ['S3: presigned PUT', presignedPut(storage)],
    ],
    keys,
  );
  await storage.delete(keys);
  client.destroy();
  await storage.close();
};

const benchLocal = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  const app = Fastify();
  const made: { storage?: LocalMediaStorage } = {};
  await app.register(localMediaFiles, { storage: new Proxy({} as LocalMediaStorage, { get: (_t, property) => Reflect.get(made.storage!, property) as unknown }) });
  // The plain PUT: the same bytes streamed to a file (temp, then rename) by a bare route, nothing checked.
  await app.register(async (plain) => {
    plain.removeAllContentTypeParsers();
    plain.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    plain.put('/plain/*', async (request) => {
      const file = join(dataDir, 'plain', (request.params as { '*': string })['*']);
      await mkdir(join(file, '..'), { recursive: true });
      await pipeline(request.body as NodeJS.ReadableStream, createWriteStream(`${file}~tmp`));
      await rename(`${file}~tmp`, file);
      return '';
    });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const storage = (made.storage = createLocalStorage({ root: join(dataDir, 'media'), publicUrl: address, secret: randomBytes(32).toString('hex') }));
  const keys: string[] = [];
  await compare(
    [
      ['local baseline: storage.put to disk', (key, body) => storage.put(key, body, { contentType: CONTENT_TYPE })],
      ['local baseline: plain PUT to a bare route', (key, body) => httpPut(`${address}/plain/${key}`, { 'content-type': CONTENT_TYPE }, body)],
      ['local: presigned PUT through /media-files/', presignedPut(storage)],
    ],
    keys,
  );
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
};

console.log(`${UPLOADS} uploads of ${(BYTES / 1024 / 1024).toFixed(2)} MB, ${CONCURRENCY} at a time, best of ${ROUNDS} rounds`);
await benchS3();
await benchLocal();
agent.destroy();
const ratio = (presigned: string, baseline: string) => {
  const [a, b] = [rows.find((row) => row.what.startsWith(presigned)), rows.find((row) => row.what.startsWith(baseline))];
  return a && b ? Math.round((b.uploadsPerSecond / a.uploadsPerSecond) * 100) / 100 : null;
};
printFigures('media-upload', {
  uploads: UPLOADS,
  bodyBytes: BYTES,
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  rows,
  /** Baseline throughput over presigned throughput: 1 means the presigned path costs nothing extra. */
  s3BaselineOverPresigned: ratio('S3: presigned', 'S3 baseline'),
  localPlainPutOverPresigned: ratio('local: presigned', 'local baseline: plain PUT'),
});
