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

/** An error that already names its backend (the adapters' StorageUnavailable: 's3', 'local-storage'). */
const namesBackend = (error: unknown) => error instanceof Error && typeof (error as { backend?: unknown }).backend === 'string';

/** Runs one storage call; a failure that does not name its backend becomes a StorageUnavailableError. */
export const viaStorage = async <T>(call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError || namesBackend(error)) throw error;
    throw new StorageUnavailableError(error);
  }
};

/**
 * A storage that answers every call with StorageUnavailableError: what the platform uses when it
 * is given none (app/platform.ts; the entrypoints give it createMediaStorage's).
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
