import { readFile } from 'node:fs/promises';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMediaWorkers, type MediaWorkers } from '../../app/media-workers.js';
import { toNewEvents } from '../../commands/command-context.js';
import type { CommandDeps } from '../../commands/deps.js';
import { attachMedia } from '../../commands/media/media.js';
import { streams, type EventStore, type UploadedMediaItem } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { processMedia } from '../../media/processing/index.js';
import type { MediaStorage } from '../../media/storage/media-storage.js';
import { createProcessingJob, processUpload } from '../../workers/media/process-upload.js';
import { eventually, kafkaClient, testKafkaBrokers, testTopicName } from '../support/kafka.js';
import { makeJpeg, makeTruncatedJpeg, makeVideo, scratchFolder } from '../support/media-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { countingStorage, ctxOf, testS3, startLocalStorage, typesOf, uploadAs, workerCommands, type CountingStorage } from './media-worker-support.js';

// The media workers on real parts: PostgreSQL, the storage (the local adapter, and S3Proxy), sharp. An upload made
// as a client makes it is processed by the in-process worker; a bad file is rejected and the worker
// carries on; a job done twice (or after a crash mid-file) writes each variant once and records one
// result; what a deleted post or story, an expired story or a replaced avatar carried is deleted.
const s3 = await testS3();

const storages: Array<[string, () => Promise<{ storage: MediaStorage; close(): Promise<void> }>]> = [
  ['local files', startLocalStorage],
  ['S3Proxy', async () => ({ storage: s3, close: async () => undefined })],
];

describe.each(storages)('media workers on %s', (_name, startStorage) => {
  let db: TestDatabase;
  let store: EventStore;
  let real: MediaStorage;
  let closeStorage: () => Promise<void>;
  let storage: CountingStorage;
  let deps: CommandDeps;
  let workers: MediaWorkers;
  const ownerId = uuidv7();

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool);
    ({ storage: real, close: closeStorage } = await startStorage());
    storage = countingStorage(real);
    deps = { store, storage, storyTtlMs: 86_400_000 } as unknown as CommandDeps;
    workers = startMediaWorkers({
      store,
      pool: db.pool,
      storage,
      processMedia,
      commands: workerCommands(deps),
      stale: async () => [],
      sweep: false,
      sweepIntervalMs: 60_000,
      pollIntervalMs: 50,
      retry: { initialDelayMs: 50, maxDelayMs: 500 },
    });
  });
  afterAll(async () => {
    await workers?.stop();
    await store?.close();
    await db?.drop();
    await closeStorage?.();
  });

  const finished = (mediaId: string) =>
    eventually(`media ${mediaId} processed or rejected`, async () => (await typesOf(store, mediaId)).some((type) => type === 'MediaProcessed' || type === 'MediaRejected'));
  const processedOf = async (mediaId: string) => (await store.readStream(streams.media(mediaId))).find((event) => event.type === 'MediaProcessed')?.data as UploadedMediaItem;
  const stored = async (storageOf: MediaStorage, keys: readonly string[]) => (await Promise.all(keys.map((key) => storageOf.head(key)))).filter(Boolean).length;

  it('processes an upload to ready, every variant stored under its key', async () => {
    const mediaId = await uploadAs(deps, ownerId, await makeJpeg({ width: 1600, height: 1200 }));
    await finished(mediaId);
    expect(await typesOf(store, mediaId)).toEqual(['MediaUploadRequested', 'MediaUploaded', 'MediaProcessed']);
    const processed = await processedOf(mediaId);
    expect(processed).toMatchObject({ type: 'image', width: 1600, height: 1200, detectedType: 'image/jpeg' });
    expect(processed.variants.map((variant) => variant.name)).toEqual(expect.arrayContaining(['1080', '640', '320', 'thumb']));
    for (const variant of processed.variants) {
      expect(variant.key.startsWith(`media/${mediaId}/`)).toBe(true);
      expect(await storage.head(variant.key)).toMatchObject({ size: variant.size, contentType: variant.contentType });
    }
    expect(storage.puts.filter((key) => key.includes(mediaId)).sort()).toEqual(processed.variants.map((variant) => variant.key).sort());
  });

  it('processes a video: the transcoded MP4 (written from its file) and the poster frame, with the duration', { timeout: 60_000 }, async () => {
    const folder = await scratchFolder();
    try {
      const bytes = await readFile(await makeVideo(folder.path, 'clip.mov', { seconds: 2, container: 'mov' }));
      const mediaId = await uploadAs(deps, ownerId, bytes, { contentType: 'video/quicktime' });
      await finished(mediaId);
      const processed = await processedOf(mediaId);
      expect(processed).toMatchObject({ type: 'video', width: 320, height: 240 });
      expect(processed.durationMs).toBeGreaterThan(1500);
      const video = processed.variants.find((variant) => variant.name === 'video')!;
      expect(video).toMatchObject({ contentType: 'video/mp4' });
      expect(await storage.head(video.key)).toMatchObject({ size: video.size, contentType: 'video/mp4' });
      expect(processed.variants.map((variant) => variant.name)).toContain('thumb');
    } finally {
      await folder.remove();
    }
  });

  it('rejects a corrupt file with its reason, and goes on with the next', async () => {
    const corrupt = await uploadAs(deps, ownerId, await makeTruncatedJpeg({ width: 800, height: 600, keep: 0.3 }));
    const good = await uploadAs(deps, ownerId, await makeJpeg({ width: 700, height: 500 }));
    await finished(corrupt);
    await finished(good);
    const rejected = (await store.readStream(streams.media(corrupt))).at(-1)!;
    expect(rejected.type).toBe('MediaRejected');
    expect(rejected.data).toMatchObject({ reason: 'MEDIA_CORRUPT' });
    expect(await typesOf(store, good)).toContain('MediaProcessed');
    expect(storage.puts.filter((key) => key.includes(corrupt))).toEqual([]);
  });

  const readyMedia = async (owner: string, purpose: 'post' | 'story' | 'avatar' = 'post') => {
    const mediaId = await uploadAs(deps, owner, await makeJpeg({ width: 500, height: 400 }), { purpose });
    await finished(mediaId);
    const processed = await processedOf(mediaId);
    return { mediaId, keys: [`media/${mediaId}/original`, ...processed.variants.map((variant) => variant.key)] };
  };
  const append = (streamId: string, type: string, data: Record<string, unknown>) =>
    store.append(streamId, toNewEvents([{ type, data } as never], ctxOf(null)), 'any');

  it('deletes the media of a deleted post, objects and all', async () => {
    const author = uuidv7();
    const [one, two] = [await readyMedia(author), await readyMedia(author)];
    const postId = uuidv7();
    const items = await attachMedia(deps, { actorId: author, mediaIds: [one!.mediaId, two!.mediaId], purpose: 'post', targetId: postId }, ctxOf(author));
    const at = new Date().toISOString();
    await append(streams.post(postId), 'PostCreated', { postId, authorId: author, caption: '', hashtags: [], mentions: [], media: items, createdAt: at });
    expect(await stored(real, [...one!.keys, ...two!.keys])).toBe(one!.keys.length + two!.keys.length);
    await append(streams.post(postId), 'PostDeleted', { postId, authorId: author, deletedAt: at });
    await eventually('the post media are deleted', async () => (await stored(real, [...one!.keys, ...two!.keys])) === 0);
    expect(await typesOf(store, one!.mediaId)).toContain('MediaDeleted');
    expect(await typesOf(store, two!.mediaId)).toContain('MediaDeleted');
  });

  it('deletes the media of an expired story', async () => {
    const author = uuidv7();
    const media = await readyMedia(author, 'story');
    const storyId = uuidv7();
    const [item] = await attachMedia(deps, { actorId: author, mediaIds: [media.mediaId], purpose: 'story', targetId: storyId }, ctxOf(author));
    const at = new Date();
    await append(streams.story(storyId), 'StoryPosted', { storyId, authorId: author, media: item, postedAt: at.toISOString(), expiresAt: new Date(at.getTime() + 1000).toISOString() });
    await append(streams.story(storyId), 'StoryExpired', { storyId, authorId: author, expiredAt: new Date(at.getTime() + 1000).toISOString() });
    await eventually('the story media are deleted', async () => (await stored(real, media.keys)) === 0);
    expect(await typesOf(store, media.mediaId)).toContain('MediaDeleted');
  });

  it("keeps a post's media when a story sharing the post ends: the story showed them, they stay the post's", async () => {
    const author = uuidv7();
    const sharer = uuidv7();
    const media = await readyMedia(author);
    const postId = uuidv7();
    const [item] = await attachMedia(deps, { actorId: author, mediaIds: [media.mediaId], purpose: 'post', targetId: postId }, ctxOf(author));
    const at = new Date();
    await append(streams.post(postId), 'PostCreated', { postId, authorId: author, caption: '', hashtags: [], mentions: [], media: [item], createdAt: at.toISOString() });
    const shareId = uuidv7();
    const sharedPost = { postId, authorId: author };
    await append(streams.story(shareId), 'StoryPosted', { storyId: shareId, authorId: sharer, media: item, postedAt: at.toISOString(), expiresAt: new Date(at.getTime() + 1000).toISOString(), sharedPost });
    await append(streams.story(shareId), 'StoryDeleted', { storyId: shareId, authorId: sharer, deletedAt: at.toISOString() });
    // An ordinary story ending after it: once its media are gone, the janitor has passed the share's end.
    const own = await readyMedia(sharer, 'story');
    const storyId = uuidv7();
    const [ownItem] = await attachMedia(deps, { actorId: sharer, mediaIds: [own.mediaId], purpose: 'story', targetId: storyId }, ctxOf(sharer));
    await append(streams.story(storyId), 'StoryPosted', { storyId, authorId: sharer, media: ownItem, postedAt: at.toISOString(), expiresAt: new Date(at.getTime() + 1000).toISOString() });
    await append(streams.story(storyId), 'StoryDeleted', { storyId, authorId: sharer, deletedAt: at.toISOString() });
    await eventually('the ordinary story media are deleted', async () => (await stored(real, own.keys)) === 0);
    expect(await stored(real, media.keys)).toBe(media.keys.length);
    expect(await typesOf(store, media.mediaId)).not.toContain('MediaDeleted');
  });

  it('deletes the avatar an AvatarChanged replaces, and keeps the new one', async () => {
    const user = uuidv7();
    const [first, second] = [await readyMedia(user, 'avatar'), await readyMedia(user, 'avatar')];
    const setAvatar = async (mediaId: string) => {
      const [avatar] = await attachMedia(deps, { actorId: user, mediaIds: [mediaId], purpose: 'avatar', targetId: user }, ctxOf(user));
      await append(streams.user(user), 'AvatarChanged', { userId: user, avatar, changedAt: new Date().toISOString() });
    };
    await setAvatar(first!.mediaId);
    await setAvatar(second!.mediaId);
    await eventually('the first avatar is deleted', async () => (await stored(real, first!.keys)) === 0);
    expect(await stored(real, second!.keys)).toBe(second!.keys.length);
    expect(await typesOf(store, second!.mediaId)).not.toContain('MediaDeleted');
  });
});

describe('a processing job run again (no worker running: the test is the worker)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let deps: CommandDeps;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool);
    deps = { store, storage: s3, storyTtlMs: 86_400_000 } as unknown as CommandDeps;
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('writes each variant once and appends one MediaProcessed, when the first run died mid-file and the job was delivered twice more', async () => {
    const mediaId = await uploadAs(deps, uuidv7(), await makeJpeg({ width: 1400, height: 1000 }));
    const jobDeps = (storage: MediaStorage) => ({ store, storage, processMedia, commands: workerCommands(deps) });

    const crashing = countingStorage(s3, { failPutAfter: 3 });
    await expect(processUpload(jobDeps(crashing), mediaId)).rejects.toThrow('killed mid-file');
    expect(crashing.puts).toHaveLength(3);
    expect(await typesOf(store, mediaId)).toEqual(['MediaUploadRequested', 'MediaUploaded']);

    const retry = countingStorage(s3);
    expect(await createProcessingJob(jobDeps(retry))(mediaId)).toBe('processed');
    const replay = countingStorage(s3);
    expect(await processUpload(jobDeps(replay), mediaId)).toBe('skipped');

    const processed = (await store.readStream(streams.media(mediaId))).find((event) => event.type === 'MediaProcessed')!.data as UploadedMediaItem;
    expect([...crashing.puts, ...retry.puts, ...replay.puts].sort()).toEqual(processed.variants.map((variant) => variant.key).sort());
    expect((await typesOf(store, mediaId)).filter((type) => type === 'MediaProcessed')).toHaveLength(1);
  });

  it('records one result when two deliveries of the same job finish at once', async () => {
    const mediaId = await uploadAs(deps, uuidv7(), await makeJpeg({ width: 600, height: 400 }));
    const job = () => processUpload({ store, storage: s3, processMedia, commands: workerCommands(deps) }, mediaId);
    const outcomes = await Promise.all([job(), job()]);
    expect(outcomes.sort()).toEqual(expect.arrayContaining(['processed']));
    expect((await typesOf(store, mediaId)).filter((type) => type === 'MediaProcessed')).toHaveLength(1);
  });

  it('retries with backoff while the storage is down, then processes the file once', async () => {
    const flaky = countingStorage(s3, { downForPuts: 5 });
    const errors: unknown[] = [];
    const worker = startMediaWorkers({
      store,
      pool: db.pool,
      storage: flaky,
      processMedia,
      commands: workerCommands(deps),
      stale: async () => [],
      sweep: false,
      sweepIntervalMs: 60_000,
      pollIntervalMs: 50,
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    const reported = vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args));
    try {
      const mediaId = await uploadAs(deps, uuidv7(), await makeJpeg({ width: 900, height: 600 }));
      await eventually('processed once the storage is back', async () => (await typesOf(store, mediaId)).includes('MediaProcessed'));
      expect((await typesOf(store, mediaId)).filter((type) => type === 'MediaProcessed')).toHaveLength(1);
      const processed = (await store.readStream(streams.media(mediaId))).find((event) => event.type === 'MediaProcessed')!.data as UploadedMediaItem;
      // Each variant written once it could be: the failed attempts wrote nothing.
      expect([...flaky.puts].sort()).toEqual(processed.variants.map((variant) => variant.key).sort());
      expect(errors.length).toBeGreaterThan(0); // the failures were reported, and retried
    } finally {
      reported.mockRestore();
      await worker.stop();
    }
  });
});

const brokers = testKafkaBrokers();
if (brokers.length === 0) console.warn('[media worker] Kafka case skipped: no broker (run `npm run services:up`)');

describe.skipIf(brokers.length === 0)('media workers through Kafka (in this process)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let local: { storage: MediaStorage; close(): Promise<void> };
  let workers: MediaWorkers;
  let deps: CommandDeps;
  const topic = `${testTopicName()}-media`;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool);
    local = await startLocalStorage();
    deps = { store, storage: local.storage, storyTtlMs: 86_400_000 } as unknown as CommandDeps;
    workers = startMediaWorkers({
      store,
      pool: db.pool,
      storage: local.storage,
      processMedia,
      commands: workerCommands(deps),
      stale: async () => [],
      sweep: false,
      sweepIntervalMs: 60_000,
      pollIntervalMs: 50,
      kafka: { brokers, topic, partitions: 2, replicationFactor: 1, sessionTimeoutMs: 6_000 },
    });
  });
  afterAll(async () => {
    await workers?.stop();
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([`${topic}-workers`]).catch(() => undefined);
    await admin.disconnect();
    await store?.close();
    await db?.drop();
    await local?.close();
  });

  it('produces a job per upload and the consumer group processes each once', { timeout: 90_000 }, async () => {
    const owner = uuidv7();
    const ids = [
      await uploadAs(deps, owner, await makeJpeg({ width: 800, height: 600 })),
      await uploadAs(deps, owner, await makeTruncatedJpeg({ width: 800, height: 600, keep: 0.3 })),
      await uploadAs(deps, owner, await makeJpeg({ width: 640, height: 640 })),
    ];
    const results = async () => Promise.all(ids.map(async (id) => (await typesOf(store, id)).filter((type) => type === 'MediaProcessed' || type === 'MediaRejected')));
    await eventually('every job has a result', async () => (await results()).every((found) => found.length > 0), 60_000);
    expect(await results()).toEqual([['MediaProcessed'], ['MediaRejected'], ['MediaProcessed']]);
  });
});
