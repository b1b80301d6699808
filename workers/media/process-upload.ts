import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { newId, type CommandContext } from '../../commands/command-context.js';
import type { MediaVariant, ProcessedMedia } from '../../events/fields.js';
import { ConcurrencyError, streams, type EventStore } from '../../events/index.js';
import { AppError } from '../../kernel/errors.js';
import type { MadeVariant, ProcessMedia, ProcessingSuccess } from '../../media/processing/processing.js';
import { mediaKeys, type MediaStorage } from '../../media/storage/media-storage.js';
import { forEachBounded } from '../../projections/feed/bounded.js';
import type { MediaWorkerCommands } from './media-commands.js';
import { readMediaFacts } from './media-stream.js';

// Processing one uploaded file (docs/architecture.md "Media", step 4): what the in-process
// reactor and the Kafka consumers both run for a MediaUploaded. Every step may run again after a
// crash or a redelivered job, and none does its work twice:
//   1. the media stream says whether a result is recorded already (then nothing is done);
//   2. the original is downloaded to a temporary folder and processed (media/processing/);
//   3. each variant is written only when its key holds no object yet (puts are atomic, so an
//      object that is there is whole): a retried file writes no variant twice;
//   4. the result is recorded through the media aggregate, which appends MediaProcessed or
//      MediaRejected once (a second result appends nothing; a lost race reloads and sees it).
// Bad bytes are a rejection with a reason code, never an error. What throws is a fault worth a
// retry (storage or database down): the caller backs off and tries again.

export const VARIANT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** Variants written at once per file. */
const PUT_CONCURRENCY = 8;

export interface ProcessUploadDeps {
  store: EventStore;
  storage: MediaStorage;
  processMedia: ProcessMedia;
  commands: Pick<MediaWorkerCommands, 'recordProcessingResult'>;
  /** Defaults to the system clock. */
  clock?: () => Date;
  /** Parent of the per-file temporary folders (default: the OS's). */
  tmpDir?: string;
}

/** processMedia itself threw (not the storage nor the store): counted, so that a file that always does is rejected in the end. */
export class ProcessingFault extends Error {
  constructor(
    readonly mediaId: string,
    override readonly cause: unknown,
  ) {
    super(`processing media ${mediaId} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ProcessingFault';
  }
}

/** What became of a job: recorded now, or nothing left to do (recorded before, never uploaded, ended, or refused). */
export type ProcessUploadOutcome = 'processed' | 'rejected' | 'skipped';

export interface ProcessUploadTrace {
  correlationId?: string;
  /** The event the job comes from (MediaUploaded's id). */
  causationId?: string | null;
}

/** Each file is processed in a folder of its own under the temporary directory, named so. */
export const WORK_DIR_PREFIX = 'ig-media-';
/** A work folder untouched this long was left by a worker that died mid-file (the longest video's time limit is under 10 minutes). */
export const ABANDONED_WORK_DIR_MS = 60 * 60 * 1000;

/**
 * Removes the work folders that workers killed mid-file left behind (a SIGKILL runs no `finally`):
 * called when the media workers start. Answers how many it removed.
 */
export const removeAbandonedWorkDirs = async (dir: string = tmpdir(), now: Date = new Date()): Promise<number> => {
  const names = (await readdir(dir)).filter((name) => name.startsWith(WORK_DIR_PREFIX));
  let removed = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory() || now.getTime() - info.mtimeMs < ABANDONED_WORK_DIR_MS) continue;
    await rm(path, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
};

export const processUpload = async (deps: ProcessUploadDeps, mediaId: string, trace: ProcessUploadTrace = {}): Promise<ProcessUploadOutcome> => {
  const facts = readMediaFacts(await deps.store.readStream(streams.media(mediaId)));
  if (!facts.exists || !facts.uploaded || facts.finished || facts.ended || !facts.originalKey) return 'skipped';
  const ctx = (): CommandContext => ({
    actorId: null,
    correlationId: trace.correlationId ?? newId(),
    causationId: trace.causationId ?? null,
    now: (deps.clock?.() ?? new Date()).toISOString(),
  });

  const original = await deps.storage.head(facts.originalKey);
  if (!original) {
    // Completed, so the storage had the bytes; gone since (deleted by hand, or a lost bucket).
    return record(deps, mediaId, { outcome: 'rejected', reason: 'MEDIA_NOT_UPLOADED', message: 'the uploaded file is no longer in the storage' }, ctx);
  }

  const workDir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), WORK_DIR_PREFIX));
  try {
    const path = join(workDir, 'original');
    await pipeline(await deps.storage.read(facts.originalKey), createWriteStream(path));
    const result = await deps.processMedia({ path, declaredType: facts.declaredType ?? 'application/octet-stream', workDir }).catch((error: unknown) => {
      throw new ProcessingFault(mediaId, error);
    });
    if (result.outcome === 'rejected') return await record(deps, mediaId, { outcome: 'rejected', reason: result.reason, message: result.message }, ctx);
    const variants = await storeVariants(deps.storage, mediaId, result.variants);
    return await record(deps, mediaId, { outcome: 'processed', processed: processedOf(result, variants) }, ctx);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
};

/** Writes each variant whose key is still empty; answers them as recorded, with the stored sizes. */
const storeVariants = async (storage: MediaStorage, mediaId: string, made: readonly MadeVariant[]): Promise<MediaVariant[]> => {
  const stored = new Map<string, MediaVariant>();
  await forEachBounded(made, PUT_CONCURRENCY, async (variant) => {
    const key = mediaKeys.variant(mediaId, variant.name, variant.extension);
    const existing = await storage.head(key);
    if (!existing) {
      const body = Buffer.isBuffer(variant.body) ? variant.body : createReadStream(variant.body.path);
      await storage.put(key, body, { contentType: variant.contentType, cacheControl: VARIANT_CACHE_CONTROL });
    }
    stored.set(key, { name: variant.name, key, width: variant.width, height: variant.height, contentType: variant.contentType, size: existing?.size ?? variant.size });
  });
  // In the order processing gave them, whatever order the writes finished in.
  return made.map((variant) => stored.get(mediaKeys.variant(mediaId, variant.name, variant.extension))!);
};

const processedOf = (result: ProcessingSuccess, variants: MediaVariant[]): ProcessedMedia => ({
  type: result.type,
  width: result.width,
  height: result.height,
  ...(result.durationMs !== undefined ? { durationMs: result.durationMs } : {}),
  blurhash: result.blurhash,
  dominantColor: result.dominantColor,
  detectedType: result.detectedType,
  variants,
});

const record = async (
  deps: ProcessUploadDeps,
  mediaId: string,
  result: Parameters<MediaWorkerCommands['recordProcessingResult']>[0]['result'],
  ctx: () => CommandContext,
): Promise<ProcessUploadOutcome> => {
  try {
    await deps.commands.recordProcessingResult({ mediaId, result }, ctx());
    return result.outcome;
  } catch (error) {
    // Another worker recorded it first (a redelivered job), or the media ended meanwhile: done either way.
    if (error instanceof ConcurrencyError) return 'skipped';
    if (error instanceof AppError && error.status < 500 && error.code !== 'CONCURRENCY_CONFLICT') return 'skipped';
    throw error;
  }
};

/** Faults of processMedia on one file before it is rejected rather than tried again. */
export const MAX_PROCESSING_FAULTS = 3;

/**
 * processUpload with a memory of faults: a file on which processMedia keeps throwing is, at the
 * MAX_PROCESSING_FAULTS-th time, rejected (MEDIA_CORRUPT) instead of being retried for ever; a
 * fault of the storage or the store is thrown every time, for the caller to back off and retry.
 */
export const createProcessingJob = (deps: ProcessUploadDeps, maxFaults = MAX_PROCESSING_FAULTS) => {
  const faults = new Map<string, number>();
  return async (mediaId: string, trace: ProcessUploadTrace = {}): Promise<ProcessUploadOutcome> => {
    try {
      const outcome = await processUpload(deps, mediaId, trace);
      faults.delete(mediaId);
      return outcome;
    } catch (error) {
      if (!(error instanceof ProcessingFault)) throw error;
      const count = (faults.get(mediaId) ?? 0) + 1;
      faults.set(mediaId, count);
      if (count < maxFaults) throw error;
      faults.delete(mediaId);
      const ctx: CommandContext = { actorId: null, correlationId: trace.correlationId ?? newId(), causationId: trace.causationId ?? null, now: (deps.clock?.() ?? new Date()).toISOString() };
      return record(deps, mediaId, { outcome: 'rejected', reason: 'MEDIA_CORRUPT', message: `the file could not be processed (${error.message})` }, () => ctx);
    }
  };
};
