// The media pipeline's latency (issue 12): for N uploads of a 12-megapixel JPEG, the time from
// `complete` (MediaUploaded appended) to `ready` (MediaProcessed visible on the log), p50 and p99,
// with the processing workers in-process from the log and through the Kafka topic, next to a
// same-run baseline: processMedia alone on the same file, N times, with the same concurrency
// (each file's time from the start of the burst, as the pipeline's is from its `complete`).
//   npm run bench:media:pipeline   (DATABASE_URL, KAFKA_BROKERS and the S3 server of
//                                   `npm run services:up`; MEDIA_BENCH_FILES, default 12)
// Both storages: the local adapter (its /media-files/ routes served on port 0 in this process)
// and S3Proxy. Every upload is PUT first; then all N are completed at once (a burst), so the figures include
// the queueing of N files on `concurrency` workers, in the pipeline and in the baseline alike.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import sharp from 'sharp';
import { v7 as uuidv7 } from 'uuid';
import { startMediaWorkers, mediaWorkerCommands, type MediaKafkaSettings } from '../app/media-workers.js';
import { loadSettings } from '../app/config.js';
import { withServiceUrls } from '../app/service-urls.js';
import type { CommandContext } from '../commands/command-context.js';
import type { CommandDeps } from '../commands/deps.js';
import { completeUpload, requestUpload } from '../commands/media/media.js';
import { START } from '../events/index.js';
import { createPostgresEventStore } from '../events/postgres/index.js';
import { processMedia } from '../media/processing/index.js';
import type { MediaStorage } from '../media/storage/media-storage.js';
import { createS3Storage } from '../media/storage/s3/s3-storage.js';
import { createScratchSchema } from './support/scratch-schema.js';
import { printFigures } from './support/report.js';
import { startLocalStorage } from '../test/integration/media-worker-support.js';

const FILES = Number(process.env.MEDIA_BENCH_FILES ?? 12);
const CONCURRENCY = 2;
// What the platform reads: the environment, .services/urls.env filling in what it leaves unset.
const settings = loadSettings(withServiceUrls(process.env, process.cwd()), []);
const BROKERS = settings.kafka?.brokers ?? ['127.0.0.1:19092'];

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
};
const summary = (values: number[]) => ({ p50Ms: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: Math.round(Math.max(...values)) });

const storageFromEnvironment = (): MediaStorage => {
  const s3 = settings.media.s3;
  if (!s3) throw new Error('no S3 server: run `npm run services:up` (or set S3_BUCKET, S3_ENDPOINT, ...)');
  return createS3Storage(s3);
};

const ctxOf = (actorId: string): CommandContext => ({ actorId, correlationId: uuidv7(), now: new Date().toISOString() });

/** Runs the pipeline on FILES uploads of `photo`: the complete-to-ready time of each, in ms. */
const pipeline = async (storage: MediaStorage, photo: Buffer, kafka: MediaKafkaSettings | undefined): Promise<number[]> => {
  const scratch = await createScratchSchema('bench_media');
  const pool = new pg.Pool({ connectionString: scratch.url, max: 10 });
  const store = await createPostgresEventStore(pool);
  const deps = { store, storage, storyTtlMs: 86_400_000 } as unknown as CommandDeps;
  const workers = startMediaWorkers({
    store,
    pool,
    storage,
    processMedia,
    commands: mediaWorkerCommands(deps),
    stale: async () => [],
    sweep: false,
    sweepIntervalMs: 60_000,
    kafka,
    concurrency: CONCURRENCY,
    pollIntervalMs: 100,
  });
  const owner = uuidv7();
  const readyAt = new Map<string, number>();
  const subscription = new AbortController();
  const following = (async () => {
    for await (const event of store.subscribe(START, { filter: { types: ['MediaProcessed', 'MediaRejected'] }, signal: subscription.signal })) {
      readyAt.set((event.data as { mediaId: string }).mediaId, performance.now());
    }
  })().catch(() => undefined);
  const put = async () => {
    const upload = await requestUpload(deps, { ownerId: owner, filename: 'photo.jpg', contentType: 'image/jpeg', size: photo.length, purpose: 'post' }, ctxOf(owner));
    const headers: Record<string, string> = Object.fromEntries(Object.entries(upload.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
    const response = await fetch(upload.uploadUrl, { method: 'PUT', headers, body: new Uint8Array(photo) });
    if (response.status >= 300) throw new Error(`PUT answered ${response.status}`);
    return upload.mediaId;
  };
  const untilReady = async (ids: readonly string[]) => {
    while (!ids.every((id) => readyAt.has(id))) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  try {
    // A warm-up file: connections made, the consumer group joined, sharp's first run done.
    const warm = await put();
    await completeUpload(deps, { actorId: owner, mediaId: warm }, ctxOf(owner));
    await untilReady([warm]);

    const ids: string[] = [];
    for (let i = 0; i < FILES; i++) ids.push(await put());
    const completedAt = new Map<string, number>();
    await Promise.all(
      ids.map(async (mediaId) => {
        await completeUpload(deps, { actorId: owner, mediaId }, ctxOf(owner));
        completedAt.set(mediaId, performance.now());
      }),
    );
    await untilReady(ids);
    return ids.map((id) => readyAt.get(id)! - completedAt.get(id)!);
  } finally {
    subscription.abort();
    await workers.stop();
    await following;
    await store.close();
    await pool.end();
    await scratch.drop();
  }
};

/** processMedia alone on FILES copies of the file, CONCURRENCY at once: each one's time from the start, in ms. */
const baseline = async (path: string): Promise<number[]> => {
  const work = await mkdtemp(join(tmpdir(), 'bench-media-'));
  try {
    const warm = await processMedia({ path, declaredType: 'image/jpeg', workDir: work });
    if (warm.outcome !== 'processed') throw new Error(`the bench photo was rejected: ${warm.message}`);
    const started = performance.now();
    const times: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < FILES) {
        next++;
        await processMedia({ path, declaredType: 'image/jpeg', workDir: work });
        times.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return times;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

const main = async () => {
  const s3 = storageFromEnvironment();
  await s3.ping();
  const local = await startLocalStorage();
  // A 12-megapixel photo-like JPEG (noise over a gradient, so that it compresses as photos do).
  const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#6688aa', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const dir = await mkdtemp(join(tmpdir(), 'bench-media-photo-'));
  const path = join(dir, 'photo.jpg');
  await writeFile(path, photo);
  const topic = `bench-media-${uuidv7().slice(-12)}`;
  const kafkaSettings: MediaKafkaSettings = { brokers: BROKERS, topic, partitions: 4, replicationFactor: 1, sessionTimeoutMs: 10_000 };
  const line = (what: string, values: number[]) => console.log(`  ${what.padEnd(34)} p50 ${percentile(values, 50)} ms  p99 ${percentile(values, 99)} ms`);
  try {
    console.log(`media pipeline: ${FILES} uploads of a 4000x3000 JPEG (${(photo.length / 1e6).toFixed(1)} MB) completed at once, ${CONCURRENCY} files at a time`);
    const base = await baseline(path);
    line('baseline: processMedia alone', base);
    const runs: Record<string, number[]> = {};
    for (const [name, storage] of [['local', local.storage], ['s3', s3]] as const) {
      line(`${name}, in-process from the log`, (runs[`${name}InProcess`] = await pipeline(storage, photo, undefined)));
      line(`${name}, through Kafka`, (runs[`${name}Kafka`] = await pipeline(storage, photo, { ...kafkaSettings, topic: `${topic}-${name}` })));
    }
    const ratio = (values: number[]) => Number((percentile(values, 50) / percentile(base, 50)).toFixed(2));
    printFigures('media:pipeline', {
      files: FILES,
      concurrency: CONCURRENCY,
      imageBytes: photo.length,
      baseline: summary(base),
      ...Object.fromEntries(Object.entries(runs).map(([name, values]) => [name, { ...summary(values), p50VsBaseline: ratio(values) }])),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
    const kafka = new Kafka({ clientId: 'bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteTopics({ topics: [`${topic}-local`, `${topic}-s3`] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}-local-workers`, `${topic}-s3-workers`]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await local.close();
    await s3.close();
  }
};

await main();
