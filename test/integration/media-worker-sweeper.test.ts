import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../commands/deps.js';
import { attachMedia } from '../../commands/media/media.js';
import { streams, type EventStore, type UploadedMediaItem } from '../../events/index.js';
import { createPostgresEventStore } from '../../events/postgres/index.js';
import { UNATTACHED_MEDIA_TTL_MS, UPLOAD_URL_TTL_SECONDS } from '../../kernel/limits.js';
import { processMedia } from '../../media/processing/index.js';
import { createMediaProjection, createMediaReader, type MediaReader } from '../../projections/media/index.js';
import { startProjector, type ProjectorHandle } from '../../projections/runtime/runner.js';
import { processUpload } from '../../workers/media/process-upload.js';
import { startSweeper, sweepOnce } from '../../workers/media/sweeper.js';
import { eventually } from '../support/kafka.js';
import { makeJpeg } from '../support/media-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { ctxOf, testS3, typesOf, uploadAs, workerCommands } from './media-worker-support.js';

// The sweeper on real parts (PostgreSQL, the media read model, S3Proxy): uploads left behind are
// expired, and their objects deleted, once their time has come on a clock the test moves (no
// waiting a day); media still in time, and attached media whatever their age, stay.
const s3 = await testS3();

describe('the media sweeper', () => {
  let db: TestDatabase;
  let store: EventStore;
  let deps: CommandDeps;
  let reader: MediaReader;
  let projector: ProjectorHandle;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createPostgresEventStore(db.pool);
    deps = { store, storage: s3, storyTtlMs: 86_400_000 } as unknown as CommandDeps;
    reader = createMediaReader(db.pool);
    projector = startProjector(store, createMediaProjection(db.pool), { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await projector?.stop();
    await store?.close();
    await db?.drop();
  });

  const statusOf = async (mediaId: string) => (await reader.byId(mediaId))?.status;
  const projected = (mediaId: string, status: string) => eventually(`media ${mediaId} ${status} in the read model`, async () => (await statusOf(mediaId)) === status);
  const processed = async (owner: string) => {
    const mediaId = await uploadAs(deps, owner, await makeJpeg({ width: 400, height: 300 }));
    expect(await processUpload({ store, storage: s3, processMedia, commands: workerCommands(deps) }, mediaId)).toBe('processed');
    const data = (await store.readStream(streams.media(mediaId))).find((event) => event.type === 'MediaProcessed')!.data as UploadedMediaItem;
    return { mediaId, keys: [`media/${mediaId}/original`, ...data.variants.map((variant) => variant.key)] };
  };
  const present = async (keys: readonly string[]) => (await Promise.all(keys.map((key) => s3.head(key)))).filter(Boolean).length;

  it('expires an upload never completed once its URL has expired, and one never attached after the TTL; attached media stay', async () => {
    const owner = uuidv7();
    const start = Date.now();
    const abandoned = await uploadAs(deps, owner, await makeJpeg({ width: 300, height: 200 }), { complete: false });
    const unattached = await processed(owner);
    const attached = await processed(owner);
    await attachMedia(deps, { actorId: owner, mediaIds: [attached.mediaId], purpose: 'post', targetId: uuidv7() }, ctxOf(owner));
    await projected(abandoned, 'pending');
    await projected(unattached.mediaId, 'ready');
    await projected(attached.mediaId, 'attached');
    const sweep = { storage: s3, commands: workerCommands(deps), stale: async (nowMs: number, limit: number) => (await reader.stale(nowMs, limit)).map((record) => record.mediaId) };

    // Now: nothing is due.
    expect((await sweepOnce(sweep, new Date())).expired).toEqual([]);

    // Past the upload URL's expiry: the upload never completed goes, objects and all.
    const afterUrl = new Date(start + UPLOAD_URL_TTL_SECONDS * 1000 + 60_000);
    expect((await sweepOnce(sweep, afterUrl)).expired).toEqual([abandoned]);
    expect(await typesOf(store, abandoned)).toEqual(['MediaUploadRequested', 'MediaExpired']);
    expect(await s3.head(`media/${abandoned}/original`)).toBeNull();
    expect(await present(unattached.keys)).toBe(unattached.keys.length);

    // Past the TTL, on the sweeper's own schedule: the media never attached goes; the attached one stays.
    await projected(abandoned, 'expired');
    const afterTtl = new Date(start + UNATTACHED_MEDIA_TTL_MS + 60_000);
    const errors: unknown[] = [];
    const sweeper = startSweeper({ ...sweep, intervalMs: 50, clock: () => afterTtl, onError: (error) => errors.push(error) });
    try {
      await eventually('the unattached media is expired', async () => (await typesOf(store, unattached.mediaId)).includes('MediaExpired'));
      await eventually('its objects are deleted', async () => (await present(unattached.keys)) === 0);
    } finally {
      await sweeper.stop();
    }
    expect(errors).toEqual([]);
    expect(await typesOf(store, attached.mediaId)).not.toContain('MediaExpired');
    expect(await present(attached.keys)).toBe(attached.keys.length);
    // Swept once: a second run finds nothing to expire.
    await projected(unattached.mediaId, 'expired');
    expect((await sweepOnce(sweep, afterTtl)).expired).toEqual([]);
    expect((await typesOf(store, unattached.mediaId)).filter((type) => type === 'MediaExpired')).toHaveLength(1);
  });
});
