import { AppError } from '../../kernel/errors.js';
import type { MediaStorage } from '../../media/storage/media-storage.js';

/**
 * The media storage failed (S3 unreachable or refusing, the local directory unwritable): the
 * HTTP layer answers 503 BACKEND_UNAVAILABLE naming "storage" (app/http/backend-errors.ts reads
 * `backend`). Refusals with a catalogue code pass through unchanged.
 */
export class StorageUnavailableError extends Error {
  readonly backend = 'storage';
  constructor(cause: unknown) {
    super(`media storage is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** Runs one storage call, turning its failure into a StorageUnavailableError. */
export const viaStorage = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError || error instanceof StorageUnavailableError) throw error;
    throw new StorageUnavailableError(error);
  }
};

/**
 * A storage that answers every call with StorageUnavailableError: what the composition uses until
 * a real adapter is wired (TODO(lead): replace with createMediaStorage from app/media-storage.ts).
 */
export const missingStorage = (): MediaStorage => {
  const down = () => Promise.reject(new StorageUnavailableError(new Error('no media storage is configured')));
  return {
    backend: 'local',
    presignUpload: down,
    downloadUrl: down,
    publicUrl: () => null,
    head: down,
    read: down,
    put: down,
    delete: down,
    ping: down,
    close: () => Promise.resolve(),
  };
};
